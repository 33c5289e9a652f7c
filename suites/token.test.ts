// Token endpoint: the cases of specs/cases/token.json.
import { defineCases } from '../src/suite.ts';

defineCases('token');
