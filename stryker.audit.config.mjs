// libs/audit's mutation run, floor 85 % (stryker.config.mjs says how the runs are set up).
import { mutationRun } from './stryker.config.mjs';

export default mutationRun('audit', 85);
