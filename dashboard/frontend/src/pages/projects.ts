import { get, type ProjectSummary } from '../api';
import { formatNumber } from '../chart';
import { h, table, when } from '../dom';

export async function projectsPage(root: HTMLElement): Promise<void> {
  const projects = await get<ProjectSummary[]>('/api/projects');
  root.replaceChildren(h('section', { class: 'card' },
    h('h1', {}, 'Projects'),
    projects.length === 0
      ? h('p', { class: 'empty' }, 'No projects this role may read.')
      : table(['project', 'task', 'deployed model', 'key metric', 'models', 'last training'],
        projects.map((p) => [
          h('a', { href: `#/projects/${p.id}`, class: 'project-link' }, p.name),
          p.task,
          p.deployed_model_id === null ? '—' : `#${p.deployed_model_id} ${p.deployed_algorithm ?? ''}`,
          `${p.key_metric} ${formatNumber(p.deployed_metric)}`,
          p.models,
          when(p.last_trained),
        ]), { id: 'projects' })));
}
