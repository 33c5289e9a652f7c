// A token's life after its issue: the cases of cases/lifetime.json of specs/core and the profiles.
import { defineCases } from '../src/suite/define.ts';

defineCases('lifetime');
