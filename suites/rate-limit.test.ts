// The rate limit: the cases of cases/rate-limit.json of specs/core and the profiles.
import { defineCases } from '../src/suite/define.ts';

defineCases('rate-limit');
