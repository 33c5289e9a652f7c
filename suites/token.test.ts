// Token endpoint: every plain case of specs/cases/token.json, judged by its requirements.
import { definePlainCases } from '../src/suite.ts';

definePlainCases('token');
