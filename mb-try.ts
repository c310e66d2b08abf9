import { memorylessBound } from './lib/twin/memoryless-bound';
import { generateScenario } from './lib/twin/scenario-generator';
import { loadScenario } from './lib/twin/scenario';
const list = [generateScenario(1).scenario, generateScenario(2).scenario, ...['stress-mix-shift','stress-few-fast','stress-long-lowconc','stress-arm-rare-fast','lambda-2026','stress-saturate'].map((n) => loadScenario(`scenarios/${n}.json`))];
for (const s of list) for (const r of memorylessBound(s, { days: s.days, rejectMode: 'auto' })) console.log(s.name, r.workload, r.savingsPct.toFixed(1), r.placements.slice(0, 4).join(' | '));
