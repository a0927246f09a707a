// Warm trace: the model is built once (setup); each run traces one packet — a pod reaching the
// ClusterIP whose rule is last in KUBE-SERVICES — as the editor's "Trace packet" does on an open file.
import { warmTraceCase } from '../trace-case';
import { podToLastClusterIp } from '../kube-targets';

export default warmTraceCase('trace warm: pod → last ClusterIP', podToLastClusterIp);
