// Generated malformed requests: the cases of cases/fuzz.json of specs/core and the profiles.
import { defineCases } from '../src/suite/define.ts';

defineCases('fuzz');
