"""JupyterLab 4 as a learner uses it: the file browser, the menus, cells and the kernel.

Everything is found by what the learner sees (file names, menu labels, cell text), and every
wait also watches for what would make it hopeless (a traceback in an output, a dialog, a dead
kernel), so that it fails with that reason instead of running out its time.
"""

from __future__ import annotations

import time

from selenium.webdriver.common.action_chains import ActionChains

from browsing import wait_for
from lab_server import LabServer

UI_TIMEOUT_S = 60

FILE_ITEM_JS = """
return Array.from(document.querySelectorAll('.jp-DirListing-itemText'))
    .find(e => e.textContent.trim() === arguments[0] && e.getBoundingClientRect().width > 0);
"""
MENU_JS = """
return Array.from(document.querySelectorAll(arguments[0]))
    .find(e => e.textContent.trim() === arguments[1] && e.getBoundingClientRect().width > 0);
"""
CODE_CELL_JS = """
return Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'))
    .find(c => c.querySelector('.cm-content')
               && c.querySelector('.cm-content').textContent.includes(arguments[0]));
"""
# The open notebook, as one report (textContent, not innerText: cells out of view are not rendered).
NOTEBOOK_JS = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
if (!panel) { return null; }
const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
// The status bar's "Python 3 (ipykernel) | Idle" ("No Kernel | ..." until a kernel is attached).
const kernel = Array.from(document.querySelectorAll('.jp-StatusBar-Item'))
    .map(e => e.textContent.trim()).find(t => t.includes(' | '));
return {
  status: indicator ? indicator.dataset.status : 'unknown',
  ready: !!kernel && !kernel.startsWith('No Kernel') && kernel.endsWith('| Idle'),
  running: Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
      .filter(p => p.textContent.includes('[*]')).length,
  errors: Array.from(panel.querySelectorAll('.jp-OutputArea-output'))
      .map(o => o.textContent)
      .filter(t => /Traceback \\(most recent call last\\)|Error displaying widget/.test(t))
      .map(t => t.slice(-1500)),
  dialogs: Array.from(document.querySelectorAll('.jp-Dialog'))
      .map(d => d.textContent.slice(0, 500)),
  dirty: !!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty'),
};
"""
DEAD_STATUSES = ("dead", "restarting", "autorestarting")


def double_click_file(driver, name: str) -> None:
    """Double-click ``name`` in the file browser (a folder opens in it, a file in a new tab)."""
    item = wait_for(driver, f"{name!r} in the file browser", FILE_ITEM_JS, UI_TIMEOUT_S, name)
    ActionChains(driver).double_click(item).perform()


def choose_menu(driver, menu: str, item: str) -> None:
    """Click ``menu`` in the menu bar, then its entry ``item``."""
    wait_for(driver, f"the {menu!r} menu", MENU_JS, UI_TIMEOUT_S, ".lm-MenuBar-itemLabel",
             menu).click()
    wait_for(driver, f"{item!r} in the {menu!r} menu", MENU_JS, UI_TIMEOUT_S, ".lm-Menu-itemLabel",
             item).click()


def code_cell(driver, text: str):
    """The first code cell of the open notebook whose source contains ``text``."""
    return wait_for(driver, f"a code cell containing {text!r}", CODE_CELL_JS, UI_TIMEOUT_S, text)


def select_cell(driver, cell) -> None:
    """Select ``cell`` in command mode (a click on its prompt, as on the left margin)."""
    prompt = cell.find_element("css selector", ".jp-InputPrompt")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", prompt)
    prompt.click()
    wait_for(driver, "the cell selected", "return arguments[0].classList.contains('jp-mod-active')",
             UI_TIMEOUT_S, cell)


def notebook_state(driver) -> dict | None:
    """The open notebook's kernel status, running cells, tracebacks, dialogs and dirty flag."""
    return driver.execute_script(NOTEBOOK_JS)


def wait_in_notebook(driver, server: LabServer, what: str, condition_js: str, timeout_s: float,
                     *args):
    """Wait for ``condition_js`` while watching the notebook: fail early on a traceback, a dialog
    or a dead kernel, and on a timeout say how many cells were still running.

    Returns:
        What ``condition_js`` returned (truthy).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        state = notebook_state(driver) or {}
        if state.get("errors"):
            raise AssertionError(f"a cell failed while waiting for {what}:\n{state['errors'][0]}")
        if server.kernel_died() or state.get("status") in DEAD_STATUSES:
            raise AssertionError(f"the kernel died while waiting for {what} (kernel status: "
                                 f"{state.get('status')}; dialogs: {state.get('dialogs')})")
        if state.get("dialogs"):
            raise AssertionError(f"JupyterLab shows a dialog while waiting for {what}: "
                                 f"{state['dialogs']}")
        result = driver.execute_script(condition_js, *args)
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s:g} s ({state.get('running', '?')} "
                               f"cells still running, kernel {state.get('status', 'unknown')})")
        time.sleep(0.5)


def wait_until_idle(driver, server: LabServer, what: str, timeout_s: float) -> None:
    """Wait until a kernel is attached and idle, with no cell queued or running."""
    wait_in_notebook(driver, server, what, f"""
        const state = (function () {{ {NOTEBOOK_JS} }})();
        return state && state.ready && state.running === 0 && state.status === 'idle';""",
                     timeout_s)


def run_cells(driver, server: LabServer, item: str, what: str, timeout_s: float) -> None:
    """Choose ``item`` in the Run menu, see the cells start, and wait until they have all run."""
    choose_menu(driver, "Run", item)
    wait_in_notebook(driver, server, f"{what} to start", f"""
        const state = (function () {{ {NOTEBOOK_JS} }})();
        return state && (state.running > 0 || state.status === 'busy');""", UI_TIMEOUT_S)
    wait_until_idle(driver, server, what, timeout_s)


def run_cell_for_widget(driver, server: LabServer, cell, what: str):
    """Run ``cell`` and return the widget box its new output shows (not the committed one)."""
    # The committed output shows a saved widget already: wait for the one this run makes.
    driver.execute_script("arguments[0].querySelectorAll('.jp-OutputArea-output')"
                          ".forEach(o => o.dataset.old = '1')", cell)
    select_cell(driver, cell)
    choose_menu(driver, "Run", "Run Selected Cell")
    return wait_in_notebook(driver, server, what, "return arguments[0].querySelector("
                            "'.jp-OutputArea-output:not([data-old]) .widget-vbox')", UI_TIMEOUT_S, cell)


def open_and_run_widget(driver, server: LabServer, steps, notebook: str, call: str, what: str,
                        run_above_timeout_s: float):
    """As a learner: open `notebook` from the chapters folder, run every cell above the one that
    holds `call`, then run that cell; return the widget box it shows. One `steps` step each."""
    with steps("open the chapter"):
        driver.get(server.lab_url)
        double_click_file(driver, "chapters")
        double_click_file(driver, notebook)
        wait_until_idle(driver, server, "the kernel to start", UI_TIMEOUT_S)
    with steps(f"run all cells above {what}"):
        cell = code_cell(driver, call)
        select_cell(driver, cell)
        run_cells(driver, server, "Run All Above Selected Cell", f"the cells above {what}", run_above_timeout_s)
    with steps(f"run the cell of {what}"):
        widget = run_cell_for_widget(driver, server, cell, what)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", widget)
    return widget
