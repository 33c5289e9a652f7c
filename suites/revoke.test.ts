// Revocation: the cases of specs/cases/revoke.json.
import { defineCases } from '../src/suite.ts';

defineCases('revoke');
