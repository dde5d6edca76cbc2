// What the panel shows of a run's result: the shared conversion, plus the approvals a paused run
// waits for (read by the platforms' contract, `pausedApprovals`), each drawn with Approve and Deny.
import type { RunResult } from '../../core/model';
import { pausedApprovals } from '../../platforms/types';
import { MAX_APPROVALS, toResultView, type ApprovalView, type ResultView } from '../../shared/panelProtocol';
import { cap } from '../../shared/text';

export function panelResultView(result: RunResult, functionName?: string): ResultView {
  const view = toResultView(result, functionName);
  const approvals = pausedApprovals(result).slice(0, MAX_APPROVALS).map((a) => {
    const approval: ApprovalView = { id: cap(a.id, 200) };
    if (a.function !== undefined) approval.function = cap(a.function, 500);
    if (a.args !== undefined) approval.args = cap(a.args, 10_000);
    if (a.description !== undefined) approval.description = cap(a.description, 2000);
    return approval;
  });
  // An id cut to fit would name another approval: such an approval is not offered.
  const usable = approvals.filter((a, i) => a.id === pausedApprovals(result)[i]?.id);
  if (usable.length > 0) view.approvals = usable;
  return view;
}
