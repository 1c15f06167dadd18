import './style.css';
import { get, post, setCsrfToken, ApiError, type Session } from './api';
import { h } from './dom';
import { consolePage } from './pages/console';
import { errorBox } from './pages/errors';
import { loginPage } from './pages/login';
import { projectPage } from './pages/project';
import { projectsPage } from './pages/projects';
import { servingPage } from './pages/serving';
import { snapshotPage } from './pages/snapshot';
import { tuningPage } from './pages/tuning';

const app = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;
let session: Session | null = null;
let renderCount = 0;

function showSession(): void {
  nav.replaceChildren(...(session ? [
    h('a', { href: '#/projects' }, 'Projects'), h('a', { href: '#/serving' }, 'Serving'),
    h('a', { href: '#/tuning' }, 'Tuning'), h('a', { href: '#/console' }, 'Console')] : []));
  who.replaceChildren(...(session ? [`${session.role}@${session.database} `,
    h('button', { id: 'logout', class: 'link', onclick: logOut }, 'Log out')] : []));
}

async function logOut(): Promise<void> {
  try { await post('/api/logout'); } catch { /* the session may have expired already */ }
  session = null;
  setCsrfToken(null);
  location.hash = '#/login';
  await route();
}

async function route(): Promise<void> {
  const current = ++renderCount;
  const isCurrent = () => current === renderCount;
  showSession();
  document.body.dataset.page = 'loading';
  const path = location.hash.replace(/^#/, '') || '/projects';
  if (!session || path === '/login') {
    document.body.dataset.page = 'login';
    loginPage(app, (s) => { session = s; location.hash = '#/projects'; route(); });
    return;
  }
  const parts = path.split('/').filter(Boolean);
  try {
    if (parts[0] === 'projects' && parts[1]) await projectPage(app, Number(parts[1]));
    else if (parts[0] === 'snapshots' && parts[1]) await snapshotPage(app, Number(parts[1]));
    else if (parts[0] === 'serving') await servingPage(app, isCurrent);
    else if (parts[0] === 'tuning') await tuningPage(app);
    else if (parts[0] === 'console') consolePage(app);
    else await projectsPage(app);
    // the page's name on <body> tells a browser test (and the CSS) which page finished drawing
    const names: Record<string, string> = { projects: parts[1] ? 'project' : 'projects', snapshots: 'snapshot' };
    if (isCurrent()) document.body.dataset.page = names[parts[0] ?? 'projects'] ?? parts[0];
  } catch (e) {
    if (e instanceof ApiError && e.failure.status === 401) {
      session = null;
      return route();
    }
    app.replaceChildren(h('section', { class: 'card' }, errorBox(e)));
    if (isCurrent()) document.body.dataset.page = 'error';
  }
}

window.addEventListener('hashchange', () => { route(); });

(async () => {
  try {
    session = await get<Session>('/api/session');
    setCsrfToken(session.csrf_token);
  } catch {
    session = null;
  }
  await route();
})();
