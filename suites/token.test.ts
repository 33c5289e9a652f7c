// Token endpoint: the cases of cases/token.json of specs/core and the profiles.
import { defineCases } from '../src/suite/define.ts';

defineCases('token');
