import { get, post, type Model, type ProjectDetail } from '../api';
import { formatNumber, layoutChart, layoutScatter, renderChart, renderScatter } from '../chart';
import { h, table, when } from '../dom';
import { classNames, confusionMatrix, numberOf, perClassScores, scalarMetrics, testPredictions } from '../metrics';
import { errorBox } from './errors';

/** One project: the key metric across its models, the models, deployments and the deploy / rollback buttons. */
export async function projectPage(root: HTMLElement, id: number): Promise<void> {
  const detail = await get<ProjectDetail>(`/api/projects/${id}`);
  const { project, models, deployments } = detail;
  const deployedId = deployments[0]?.model_id ?? null;
  const key = project.key_metric;
  const message = h('div', { id: 'deploy-message' });

  const act = async (path: string, body: unknown) => {
    message.replaceChildren(h('span', {}, 'deploying…'));
    try {
      await post(path, body);
      await projectPage(root, id);
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  };

  const scored = models.filter((m) => numberOf(m.metrics, key) !== null);
  const chart = scored.length === 0
    ? h('p', { class: 'empty' }, `No model has a ${key} score yet.`)
    : renderChart(layoutChart(scored.map((m) => ({ id: m.id, label: m.algorithm, time: Date.parse(m.created_at), value: numberOf(m.metrics, key)! }))), key, deployedId);

  const deployButton = (m: Model) => detail.can_deploy && m.id !== deployedId && m.status === 'successful'
    ? h('button', { class: 'deploy', 'data-model-id': m.id, onclick: () => act(`/api/projects/${id}/deploy`, { model_id: m.id }) }, 'Deploy')
    : m.id === deployedId ? h('span', { class: 'badge' }, 'deployed') : null;

  root.replaceChildren(
    h('section', { class: 'card' },
      h('h1', {}, project.name),
      h('p', {}, `${project.task} · key metric ${key} · ${models.length} models`),
      h('div', { id: 'metric-chart' }, chart),
      message,
      detail.can_deploy && deployments.length > 1
        ? h('button', { id: 'rollback', onclick: () => act(`/api/projects/${id}/rollback`, {}) }, 'Roll back to the previous deployment')
        : null,
      detail.can_deploy ? null : h('p', { class: 'hint' }, 'This role may not write pgml.deployments: deploying is off.')),
    h('section', { class: 'card' },
      h('h2', {}, 'Models'),
      table(['model', 'algorithm', 'status', key, 'metrics', 'hyperparameters', 'snapshot', 'trained', ''],
        models.map((m) => [
          `#${m.id}`, m.algorithm, m.status, formatNumber(numberOf(m.metrics, key)),
          h('span', { class: 'small' }, scalarMetrics(m.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ')),
          h('code', { class: 'small' }, JSON.stringify(m.hyperparams)),
          m.snapshot_id === null ? '—' : h('a', { href: `#/snapshots/${m.snapshot_id}` }, `#${m.snapshot_id}`),
          when(m.created_at),
          deployButton(m),
        ]), { id: 'models' })),
    h('section', { class: 'card' },
      h('h2', {}, 'Deployments'),
      deployments.length === 0 ? h('p', { class: 'empty' }, 'Never deployed.')
        : table(['deployment', 'model', 'algorithm', 'strategy', 'at'],
          deployments.map((d) => [`#${d.id}`, `#${d.model_id}`, d.algorithm ?? '—', d.strategy, when(d.created_at)]), { id: 'deployments' })),
    ...classScores(models.find((m) => m.id === deployedId) ?? models[models.length - 1]),
    ...predictedVsActual(models.find((m) => m.id === deployedId) ?? models[models.length - 1]),
  );
}

/** The confusion matrix and per-class scores of a model, where its metrics hold them. */
function classScores(m: Model | undefined): HTMLElement[] {
  if (!m) return [];
  const out: HTMLElement[] = [];
  const matrix = confusionMatrix(m.metrics);
  const perClass = perClassScores(m.metrics);
  const names = classNames(m.metrics, matrix?.length ?? perClass?.rows.length ?? 0);
  if (matrix) {
    const total = matrix.flat().reduce((a, b) => a + b, 0);
    out.push(h('section', { class: 'card' }, h('h2', {}, `Confusion matrix of model #${m.id}`),
      h('p', { class: 'small' }, `rows: actual class, columns: predicted class; ${total} test rows`),
      table(['actual \\ predicted', ...names], matrix.map((r, i) => [names[i], ...r]), { id: 'confusion' })));
  }
  if (perClass) {
    out.push(h('section', { class: 'card' }, h('h2', {}, `Per-class scores of model #${m.id}`),
      table(['class', ...perClass.names], perClass.rows.map((r, i) => [names[i] ?? String(i), ...r.map(formatNumber)]),
        { id: 'per-class' })));
  }
  return out;
}

/** A regression's predictions against the actual values on its test split, where its metrics hold them. */
function predictedVsActual(m: Model | undefined): HTMLElement[] {
  const pairs = m ? testPredictions(m.metrics) : null;
  if (!m || !pairs) return [];
  const shown = pairs.actual.length === pairs.rows ? `${pairs.rows} test rows`
    : `${pairs.actual.length} of ${pairs.rows} test rows, evenly spaced through the split`;
  return [h('section', { class: 'card' }, h('h2', {}, `Predicted vs actual, model #${m.id}`),
    h('p', { class: 'small' }, `${shown}; horizontal: actual, vertical: predicted; the diagonal is a perfect prediction`),
    h('div', { id: 'prediction-scatter', 'data-rows': pairs.rows }, renderScatter(layoutScatter(pairs.actual, pairs.predicted))))];
}
