// The features the server runs, in registration order. Adding one (e.g. code lens, trace) is one
// line here: a Feature announces its own capabilities and registers its own handlers.
import type { Feature } from './context';
import { codeActionsFeature } from './code-actions';
import { codeLensFeature } from './codeLens';
import { completionFeature } from './completion';
import { diagnosticsFeature } from './diagnostics';
import { hoverFeature } from './hover';
import { navigationFeature } from './navigation';
import { symbolsFeature } from './symbols';
import { traceFeature } from './trace';

export const FEATURES: Feature[] = [
  diagnosticsFeature,
  hoverFeature,
  navigationFeature,
  symbolsFeature,
  completionFeature,
  codeActionsFeature,
  codeLensFeature,
  traceFeature,
];
