// The rate limit: the cases of specs/cases/rate-limit.json.
import { defineCases } from '../src/suite.ts';

defineCases('rate-limit');
