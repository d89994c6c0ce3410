#!/usr/bin/env python
"""Browser test: the rollout widget in a real JupyterLab and the reproduction report in a real browser.

Runs headless Debian `chromium` through Playwright for Python (no `playwright install`: the system browser is
used through `executable_path`). Steps, each bounded in time:
  1. make sure chromium (apt-get) and playwright (pip) are installed;
  2. a results folder with `report.html`: the one given by --results, or a fresh smoke-scale
     `vidrepro reproduce --paper svg --paper paig` into a temporary folder;
  3. start JupyterLab on 127.0.0.1 with a token, open a copy of the widgets notebook (nbs/80_widgets.ipynb),
     run all cells at smoke scale, wait for the kernel to be idle and check no cell raised;
  4. drag the frame slider of the first rollout viewer and check, in the DOM and on a screenshot, that the
     shown frame and its metrics changed;
  5. open results/report.html from file:// and check that it has images and every one loads (naturalWidth > 0);
  6. stop JupyterLab. Exit status 0 on success; otherwise 1 with a message saying which step failed and why.

Usage: python .ci/browser_test.py [--results DIR] [--notebook nbs/80_widgets.ipynb] [--out DIR] [--timeout 900]
"""
from __future__ import annotations
import argparse, json, os, re, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'


class BrowserTestError(Exception):
    "A step of the browser test failed; the message says which and why."


def step(name: str, t0: list):
    "Print the seconds since the test started and what it does next."
    print(f"[{time.time() - t0[0]:6.1f} s] {name}", flush=True)


def ensure_tools():
    "Install Debian's chromium (apt-get) and playwright (pip) if they are missing."
    if not Path(CHROMIUM).exists():
        print("installing chromium with apt-get (needs root; takes a minute or two)", flush=True)
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        for cmd in (['apt-get', 'update'], ['apt-get', 'install', '-y', 'chromium']):
            r = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if r.returncode: raise BrowserTestError(f"`{' '.join(cmd)}` failed ({r.returncode}): {r.stderr[-800:]}\n"
                                                    "Install Debian's chromium (apt-get install chromium) and rerun.")
    try: import playwright  # noqa: F401
    except ImportError:
        print("installing playwright with pip", flush=True)
        r = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', 'playwright'], capture_output=True, text=True)
        if r.returncode: raise BrowserTestError(f"pip install playwright failed: {r.stderr[-800:]}")


def make_results(results: Path | None, work: Path, timeout: float) -> Path:
    "A results folder with report.html: `results` as given, or a fresh smoke-scale reproduction of svg and paig."
    env = {**os.environ, 'VIDREPRO_THREADS': os.environ.get('VIDREPRO_THREADS', '1'), 'VIDREPRO_SCALE': 'smoke'}
    if results is None:
        results = work/'results'
        cmd = [sys.executable, '-m', 'vidrepro.cli', 'reproduce', '--paper', 'svg', '--paper', 'paig', '--scale', 'smoke',
               '--results', str(results)]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if r.returncode: raise BrowserTestError(f"`{' '.join(cmd)}` failed ({r.returncode}):\n{r.stderr[-2000:]}")
    if not (results/'report.html').exists():
        code = ("import sys; from vidrepro.papers.core import load_papers; from vidrepro.report import write_report; "
                "load_papers(); write_report(sys.argv[1], notebooks=sys.argv[2])")
        r = subprocess.run([sys.executable, '-c', code, str(results), str(REPO/'nbs')], env=env, capture_output=True, text=True)
        if r.returncode: raise BrowserTestError(f"write_report({results}) failed:\n{r.stderr[-2000:]}")
    return results


def demo_notebook(source: Path, lab_root: Path) -> Path:
    "A copy of `source` in `lab_root` with a kernelspec (no kernel dialog) and without its `nbdev_export` cell."
    nb = json.loads(source.read_text())
    nb['cells'] = [c for c in nb['cells'] if 'nbdev_export' not in ''.join(c['source'])]
    nb['metadata']['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)', 'language': 'python'}
    path = lab_root/'demo.ipynb'
    path.write_text(json.dumps(nb))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_lab(lab_root: Path, work: Path, timeout: float = 90) -> tuple[subprocess.Popen, str, str]:
    "JupyterLab on 127.0.0.1 (its own config and runtime folders), serving `lab_root`: the process, token and base URL."
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(work/'jupyter-config'), 'JUPYTER_RUNTIME_DIR': str(work/'jupyter-runtime'),
           'VIDREPRO_SCALE': 'smoke', 'VIDREPRO_THREADS': os.environ.get('VIDREPRO_THREADS', '1'),
           'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={lab_root}', '--LabApp.expose_app_in_browser=True',
           '--allow-root']
    log = open(work/'jupyterlab.log', 'w')
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base, deadline = f'http://127.0.0.1:{port}', time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            log_tail = (work/'jupyterlab.log').read_text()[-2000:]
            raise BrowserTestError(f"JupyterLab exited ({proc.returncode}); its log:\n{log_tail}")
        try:
            with urllib.request.urlopen(f'{base}/api/status?token={token}', timeout=2) as r:
                if r.status == 200: return proc, token, base
        except OSError: time.sleep(0.5)
    stop_lab(proc)
    raise BrowserTestError(f"JupyterLab did not answer on {base} within {timeout:.0f} s; log in {work/'jupyterlab.log'}")


def stop_lab(proc: subprocess.Popen):
    "Stop the JupyterLab we started (its process group: the server and its kernels)."
    if proc.poll() is not None: return
    os.killpg(proc.pid, signal.SIGTERM)
    try: proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


NOTEBOOK_STATE = r"""() => {
  const nb = window.jupyterapp.shell.currentWidget;
  if (!nb || !nb.content || !nb.sessionContext.session) return null;
  const cells = [];
  for (const cell of nb.content.model.cells) {
    if (cell.type !== 'code') continue;
    const errors = cell.outputs.toJSON().filter(o => o.output_type === 'error')
                       .map(o => o.ename + ': ' + o.evalue + '\n' + o.traceback.slice(-2).join('\n'));
    cells.push({count: cell.executionCount, errors: errors});
  }
  return {status: nb.sessionContext.session.kernel.status, cells: cells};
}"""


def run_notebook(page, url: str, timeout: float) -> dict:
    "Open the notebook at `url`, run all cells, wait until every code cell ran and the kernel is idle."
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                           "window.jupyterapp.shell.currentWidget.sessionContext && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = page.evaluate(NOTEBOOK_STATE)
        errors = [e for c in state['cells'] for e in c['errors']]
        if errors:
            plain = re.sub(r'\x1b\[[0-9;]*m', '', errors[0])                      # the traceback without its colours
            raise BrowserTestError(f"a notebook cell raised in JupyterLab: {plain}")
        if state['status'] == 'idle' and all(c['count'] for c in state['cells']): return state
        time.sleep(1)
    ran = sum(bool(c['count']) for c in state['cells'])
    raise BrowserTestError(f"the notebook did not finish within {timeout:.0f} s ({ran} of {len(state['cells'])} code "
                           f"cells ran; kernel {state['status']})")


def move_slider(page, out: Path) -> dict:
    "Drag the first viewer's frame slider; check the DOM (image, readout, metrics) and a screenshot changed."
    if page.locator('.vidrepro-rollout-viewer').count() == 0:
        raise BrowserTestError("the notebook shows no rollout viewer (no element with class vidrepro-rollout-viewer)")
    viewer = page.locator('.vidrepro-rollout-viewer').first
    viewer.scroll_into_view_if_needed()
    image = viewer.locator('img.vidrepro-panel-ground-truth')               # the true frame: it changes with the frame
    metrics = viewer.locator('.vidrepro-metrics')
    handle = viewer.locator('.vidrepro-frame .noUi-handle')
    track = viewer.locator('.vidrepro-frame .noUi-target')
    image.wait_for(state='visible', timeout=30_000)
    page.wait_for_function("el => el.naturalWidth > 0", arg=image.element_handle(), timeout=30_000)
    before = dict(src=image.get_attribute('src'), metrics=metrics.inner_text(), shot=image.screenshot(),
                  readout=viewer.locator('.vidrepro-frame .widget-readout').inner_text())
    viewer.screenshot(path=str(out/'viewer_before.png'))
    box, knob = track.bounding_box(), handle.bounding_box()
    page.mouse.move(knob['x'] + knob['width'] / 2, knob['y'] + knob['height'] / 2)
    page.mouse.down()
    page.mouse.move(box['x'] + box['width'] * 0.6, knob['y'] + knob['height'] / 2, steps=8)
    page.mouse.up()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[metrics.element_handle(), before['metrics']],
                           timeout=30_000)
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle(), timeout=30_000)
    after = dict(src=image.get_attribute('src'), metrics=metrics.inner_text(), shot=image.screenshot(),
                 readout=viewer.locator('.vidrepro-frame .widget-readout').inner_text())
    viewer.screenshot(path=str(out/'viewer_after.png'))
    if after['readout'] == before['readout']: raise BrowserTestError(f"the slider did not move (readout {after['readout']})")
    if after['src'] == before['src']:
        raise BrowserTestError("the ground-truth image's src did not change after the slider moved")
    if after['shot'] == before['shot']: raise BrowserTestError("the ground-truth image looks the same after the slider moved")
    if before['metrics'].split(':')[0] == after['metrics'].split(':')[0]:
        raise BrowserTestError(f"the metrics did not follow the frame: {before['metrics']!r} -> {after['metrics']!r}")
    return dict(frame_before=before['readout'], frame_after=after['readout'],
                metrics_after=after['metrics'].splitlines()[0])


def check_report(page, report: Path, out: Path) -> list:
    "Open report.html from file:// and check it has images and that every one of them loaded."
    page.goto(report.resolve().as_uri())
    page.wait_for_load_state('load')
    images = page.evaluate("() => Array.from(document.images).map(i => ({src: i.getAttribute('src'), "
                           "ok: i.complete && i.naturalWidth > 0}))")
    page.screenshot(path=str(out/'report.png'), full_page=True)
    if not images: raise BrowserTestError(f"{report} has no images")
    broken = [i['src'] for i in images if not i['ok']]
    if broken: raise BrowserTestError(f"{len(broken)} of {len(images)} images in {report} do not load: {broken}")
    return images


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--results', type=Path, default=None, help='a results folder to check (default: a fresh smoke run)')
    p.add_argument('--notebook', type=Path, default=REPO/'nbs'/'80_widgets.ipynb', help='notebook with a rollout viewer')
    p.add_argument('--out', type=Path, default=None, help='where screenshots and the JupyterLab log go (default: temporary)')
    p.add_argument('--timeout', type=float, default=900, help='seconds for the whole test')
    a = p.parse_args(argv)
    t0 = [time.time()]
    work = Path(tempfile.mkdtemp(prefix='vidrepro-browser-'))
    out = a.out or work
    out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(BrowserTestError(f"timed out after {a.timeout:.0f} s")))
    signal.alarm(int(a.timeout))
    lab = None
    try:
        step('tools: chromium and playwright', t0)
        ensure_tools()
        step('results folder and report.html' + ('' if a.results else ' (smoke reproduction of svg and paig)'), t0)
        results = make_results(a.results, work, a.timeout)
        step('starting JupyterLab', t0)
        lab_root = work/'lab'
        lab_root.mkdir()
        notebook = demo_notebook(a.notebook, lab_root)
        lab, token, base = start_lab(lab_root, work)
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-dev-shm-usage'])
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            step(f'running {a.notebook.name} in JupyterLab', t0)
            state = run_notebook(page, f'{base}/lab/tree/{notebook.name}?token={token}', timeout=a.timeout)
            step(f'{len(state["cells"])} code cells ran; moving the frame slider', t0)
            moved = move_slider(page, out)
            step(f'slider moved {moved["frame_before"]} -> {moved["frame_after"]} ({moved["metrics_after"]}); '
                 'checking report.html', t0)
            images = check_report(page, results/'report.html', out)
            step(f'report.html: all {len(images)} images load', t0)
            browser.close()
    except BrowserTestError as e:
        print(f"BROWSER TEST FAILED: {e}\n(screenshots and logs in {out})", file=sys.stderr)
        return 1
    except Exception as e:  # a Playwright timeout or an unexpected error: say where
        print(f"BROWSER TEST FAILED: {type(e).__name__}: {e}\n(screenshots and logs in {out})", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        if lab is not None: stop_lab(lab)
    print(f"browser test passed in {time.time() - t0[0]:.0f} s (screenshots in {out})")
    return 0


if __name__ == '__main__':
    sys.exit(main())
