import { post, setCsrfToken, type Session } from '../api';
import { h } from '../dom';
import { errorBox } from './errors';

/** The login form: a database role and its password, checked by the upstream PostgreSQL. */
export function loginPage(root: HTMLElement, onLogin: (s: Session) => void): void {
  const role = h('input', { name: 'role', id: 'role', autocomplete: 'username', required: true }) as HTMLInputElement;
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password' }) as HTMLInputElement;
  const database = h('input', { name: 'database', id: 'database', placeholder: 'the sidecar\'s database' }) as HTMLInputElement;
  const message = h('div', { id: 'login-message' });
  const form = h('form', { id: 'login', class: 'card narrow' },
    h('h1', {}, 'Log in'),
    h('p', {}, 'With a PostgreSQL role: everything shown is read through its own connection.'),
    h('label', { for: 'role' }, 'Role'), role,
    h('label', { for: 'password' }, 'Password'), password,
    h('label', { for: 'database' }, 'Database'), database,
    h('button', { type: 'submit' }, 'Log in'), message);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.replaceChildren();
    try {
      const s = await post<Session>('/api/login', { role: role.value, password: password.value, database: database.value || null });
      setCsrfToken(s.csrf_token);
      onLogin(s);
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  });
  root.replaceChildren(form);
  role.focus();
}
