import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Python with scikit-learn the benchmarks' baselines run on: the `bench` environment (requirements/bench.txt). */
export function benchPython(): string {
  const python = path.resolve(__dirname, '..', '.venv', 'bench', 'bin', 'python');
  if (!fs.existsSync(python))
    throw new Error(`No ${python}: run \`bash scripts/venv.sh bench\` first (scikit-learn, numpy, pandas, scipy from requirements/bench.txt).`);
  return python;
}
