// Revocation: the cases of cases/revoke.json of specs/core and the profiles.
import { defineCases } from '../src/suite/define.ts';

defineCases('revoke');
