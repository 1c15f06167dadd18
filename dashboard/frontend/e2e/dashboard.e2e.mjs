// Drives the dashboard in Debian's headless Chromium with playwright-core (no browser download):
// logs in, opens a project, deploys a model by its button, visits every page and takes a screenshot
// of each, then logs in as a role without access. Prints one JSON line of what it saw; the JUnit
// test (integration-tests' DashboardBrowserTest) compares that with the catalog.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const url = env('DASHBOARD_URL');
const shots = env('SCREENSHOTS_DIR');
const projectId = env('PROJECT_ID');
const deployModelId = env('DEPLOY_MODEL_ID');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const seen = {};
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(30000);
  const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const onPage = (name) => page.waitForSelector(`body[data-page="${name}"]`);
  const logIn = async (role, password) => {
    await page.fill('#role', role);
    await page.fill('#password', password);
    await page.click('#login button[type=submit]');
  };

  await page.goto(url);
  await onPage('login');
  await logIn(env('ANALYST_ROLE'), 'not-the-password');
  seen.wrongPassword = await page.textContent('#login-message .error');
  await shot('login-refused');

  await logIn(env('ANALYST_ROLE'), env('ANALYST_PASSWORD'));
  await onPage('projects');
  seen.projects = await page.textContent('#projects');
  await shot('projects');

  await page.click(`a[href="#/projects/${projectId}"]`);
  await onPage('project');
  seen.chartPoints = await page.locator('#metric-chart circle.point').count();
  seen.chartModelIds = await page.locator('#metric-chart circle.point').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-model-id')));
  // the deployed classifier's confusion matrix: every count cell (the first column names the actual class)
  seen.confusionCells = await page.locator('#confusion tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => Number(td.textContent))));
  seen.perClassRows = await page.locator('#per-class tbody tr').count();
  await shot('project');

  // a regression project: predicted against actual, one point per test row
  await page.goto(`${url}#/projects/${env('REGRESSION_PROJECT_ID')}`);
  await onPage('project');
  await page.waitForSelector('#prediction-scatter svg');
  seen.scatterPoints = await page.locator('#prediction-scatter circle.prediction').count();
  seen.scatterRows = await page.getAttribute('#prediction-scatter', 'data-rows');
  seen.regressionConfusion = await page.locator('#confusion').count();
  await shot('regression-project');
  await page.goto(`${url}#/projects/${projectId}`);
  await onPage('project');

  await page.click(`button.deploy[data-model-id="${deployModelId}"]`);
  await page.waitForFunction((m) => document.querySelector('#deployments tbody tr:first-child td:nth-child(2)')?.textContent === `#${m}`,
    deployModelId);
  seen.latestDeployment = await page.textContent('#deployments tbody tr:first-child');
  seen.deployedPoint = await page.locator(`#metric-chart circle.point.deployed[data-model-id="${deployModelId}"]`).count();
  await shot('project-deployed');

  // roll back: the model deployed before comes back, recorded with strategy 'rollback'
  await page.click('#rollback');
  await page.waitForFunction(() => document.querySelector('#deployments tbody tr:first-child td:nth-child(4)')?.textContent === 'rollback');
  seen.afterRollback = await page.textContent('#deployments tbody tr:first-child');
  await shot('project-rolled-back');

  // a POST carrying the cookie but not the page's CSRF token deploys nothing
  seen.deployWithoutCsrfToken = await page.evaluate(async ([id, model]) => (await fetch(`/api/projects/${id}/deploy`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model_id: Number(model) }),
  })).status, [projectId, env('OTHER_MODEL_ID')]);

  const snapshotLink = await page.getAttribute('#models a[href^="#/snapshots/"]', 'href');
  await page.click('#models a[href^="#/snapshots/"]');
  await onPage('snapshot');
  seen.histograms = await page.locator('#columns svg.histogram').count();
  seen.snapshotColumns = await page.textContent('#columns');
  await shot('snapshot');

  await page.goto(`${url}#/serving`);
  await onPage('serving');
  seen.serving = await page.textContent('main');
  seen.loadedModels = await page.textContent('#loaded-models');
  await shot('serving');

  await page.goto(`${url}#/tuning`);
  await onPage('tuning');
  seen.tuning = await page.textContent('main');
  seen.tuningCurves = await page.locator('svg.curve').count();
  seen.tuningCaptions = (await page.locator('.curves figcaption').allTextContents()).join(' | ');
  await shot('tuning');

  await page.goto(`${url}#/console`);
  await onPage('console');
  await page.fill('#sql', 'SELECT pgml.version() AS version, current_user AS role');
  await page.click('#run-sql');
  await page.waitForSelector('#console-output .result table');
  seen.console = await page.textContent('#console-output');
  await shot('console');

  // a role that may read the registry but not write pgml.deployments: no buttons, and PostgreSQL refuses the call
  await page.click('#logout');
  await onPage('login');
  await logIn(env('READER_ROLE'), 'whatever');
  await onPage('projects');
  await page.goto(`${url}#/projects/${projectId}`);
  await onPage('project');
  seen.readerChartPoints = await page.locator('#metric-chart circle.point').count();
  seen.readerDeployButtons = await page.locator('button.deploy, #rollback').count();
  seen.readerDeploy = await page.evaluate(async ([id, model]) => {
    const token = (await (await fetch('/api/session')).json()).csrf_token;
    const r = await fetch(`/api/projects/${id}/deploy`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token }, body: JSON.stringify({ model_id: Number(model) }),
    });
    return { status: r.status, body: await r.json() };
  }, [projectId, env('OTHER_MODEL_ID')]);
  await shot('reader-project');

  await page.click('#logout');
  await onPage('login');
  await logIn(env('OUTSIDER_ROLE'), 'whatever');
  await page.waitForSelector('body[data-page="error"], body[data-page="projects"]');
  seen.outsiderProjects = await page.textContent('main');
  await shot('outsider-projects');
  await page.goto(`${url}#/projects/${projectId}`);
  await page.waitForSelector('body[data-page="error"], body[data-page="project"]');
  seen.outsiderProject = await page.textContent('main');
  await shot('outsider-project');
  await page.goto(`${url}#/serving`);
  await page.waitForSelector('body[data-page="error"], body[data-page="serving"]');
  seen.outsiderServing = await page.textContent('main');
  await shot('outsider-serving');
  await page.goto(`${url}${snapshotLink}`);
  await page.waitForSelector('body[data-page="error"], body[data-page="snapshot"]');
  seen.outsiderSnapshot = await page.textContent('main');
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
