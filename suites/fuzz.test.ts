// Generated malformed requests: the cases of specs/cases/fuzz.json.
import { defineCases } from '../src/suite.ts';

defineCases('fuzz');
