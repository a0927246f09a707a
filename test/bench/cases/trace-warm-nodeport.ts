// Warm trace: the model is built once (setup); each run traces an external client reaching the
// last NodePort of KUBE-NODEPORTS on the node.
import { warmTraceCase } from '../trace-case';
import { externalToLastNodePort } from '../kube-targets';

export default warmTraceCase('trace warm: external → last NodePort', externalToLastNodePort);
