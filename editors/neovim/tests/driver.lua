-- Runs a scenario in a real (headless) Neovim for the tests in tests/editors/test_neovim.py.
--
-- The scenario is a JSON list of steps in $PYTEST_DELTA_STEPS (a file); each step acts like a user (open a
-- file, edit a buffer, run a command) or waits, with a timeout, until what the user would see (code lens
-- text per line, diagnostics) matches what the step expects. Every step's observation goes to the JSON file
-- $PYTEST_DELTA_RESULT, and the Python test asserts on them. A step that times out ends the scenario.
--
-- The driver never refreshes lenses itself: it only looks, so a plugin that fails to refresh fails the test.
local M = {}

local function read_json(path)
  local handle = assert(io.open(path, "r"))
  local text = handle:read("*a")
  handle:close()
  return vim.fn.json_decode(text)
end

local function write_json(path, value)
  local handle = assert(io.open(path, "w"))
  handle:write(vim.fn.json_encode(value))
  handle:close()
end

local function buffer_for(path)
  local bufnr = vim.fn.bufnr(path)
  if bufnr == -1 then
    error("no buffer for " .. path)
  end
  return bufnr
end

--- Lens text per line, as displayed: the virtual text in the code lens namespaces.
local function displayed_lenses(bufnr)
  local lines = {}
  for name, ns in pairs(vim.api.nvim_get_namespaces()) do
    if name:find("codelens", 1, true) then
      for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })) do
        local details = mark[4]
        if details and details.virt_text then
          local text = {}
          for _, chunk in ipairs(details.virt_text) do
            table.insert(text, chunk[1])
          end
          table.insert(lines, { mark[2], table.concat(text) })
        end
      end
    end
  end
  table.sort(lines, function(a, b)
    return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
  end)
  return lines
end

--- The lenses the plugin received: line, title, command and arguments.
local function received_lenses(bufnr)
  local result = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    local command = lens.command or {}
    table.insert(result, {
      line = lens.range.start.line,
      title = command.title,
      command = command.command,
      arguments = command.arguments or {},
    })
  end
  table.sort(result, function(a, b)
    return a.line < b.line or (a.line == b.line and (a.title or "") < (b.title or ""))
  end)
  return result
end

local function diagnostics(bufnr)
  local result = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result, {
      line = diagnostic.lnum,
      message = diagnostic.message,
      severity = diagnostic.severity,
      source = diagnostic.source,
    })
  end
  table.sort(result, function(a, b)
    return a.line < b.line
  end)
  return result
end

local function same(a, b)
  return vim.deep_equal(a, b)
end

local function wait(timeout_s, observe, done)
  local observed
  local ok = vim.wait(timeout_s * 1000, function()
    observed = observe()
    return done(observed)
  end, 50)
  return ok, observe()
end

local function attached(bufnr)
  for _, client in ipairs(require("pytest_delta").clients()) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      return true
    end
  end
  return false
end

local ACTIONS = {}

function ACTIONS.edit(step)
  vim.cmd("edit " .. vim.fn.fnameescape(step.path))
  if vim.bo.filetype == "" then
    vim.bo.filetype = "python"
  end
  return { bufnr = vim.api.nvim_get_current_buf() }
end

function ACTIONS.split(step)
  vim.cmd("split " .. vim.fn.fnameescape(step.path))
  if vim.bo.filetype == "" then
    vim.bo.filetype = "python"
  end
  return { bufnr = vim.api.nvim_get_current_buf() }
end

function ACTIONS.set_lines(step)
  vim.api.nvim_buf_set_lines(buffer_for(step.path), step.start, step["end"], false, step.lines)
  return {}
end

function ACTIONS.write(step)
  vim.api.nvim_buf_call(buffer_for(step.path), function()
    vim.cmd("write")
  end)
  return {}
end

function ACTIONS.focus(step)
  local bufnr = buffer_for(step.path)
  local win = vim.fn.win_findbuf(bufnr)[1]
  if win then
    vim.api.nvim_set_current_win(win)
  else
    vim.api.nvim_set_current_buf(bufnr)
  end
  if step.line then
    vim.api.nvim_win_set_cursor(0, { step.line + 1, step.col or 0 })
  end
  return {}
end

function ACTIONS.command(step)
  vim.cmd(step.command)
  return {}
end

function ACTIONS.wait_attached(step)
  local bufnr = buffer_for(step.path)
  local ok = vim.wait(step.timeout * 1000, function()
    return attached(bufnr)
  end, 50)
  return { ok = ok, observed = ok }
end

function ACTIONS.wait_lenses(step)
  local bufnr = buffer_for(step.path)
  local ok, observed = wait(step.timeout, function()
    return displayed_lenses(bufnr)
  end, function(lines)
    return same(lines, step.expect)
  end)
  return { ok = ok, observed = observed, received = received_lenses(bufnr) }
end

function ACTIONS.wait_diagnostics(step)
  local bufnr = buffer_for(step.path)
  local ok, observed = wait(step.timeout, function()
    return diagnostics(bufnr)
  end, function(found)
    if #found ~= #step.expect then
      return false
    end
    for index, expected in ipairs(step.expect) do
      if found[index].line ~= expected[1] or not found[index].message:find(expected[2], 1, true) then
        return false
      end
    end
    return true
  end)
  return { ok = ok, observed = observed }
end

function ACTIONS.wait_run_finished(step)
  local delta = require("pytest_delta")
  local ok = vim.wait(step.timeout * 1000, function()
    local status = delta.status()
    return next(status.running) == nil and status.last_run ~= nil
  end, 100)
  return { ok = ok, observed = delta.status().last_run or vim.NIL }
end

function ACTIONS.health(_)
  vim.cmd("checkhealth pytest_delta")
  return { observed = vim.api.nvim_buf_get_lines(0, 0, -1, false) }
end

--- Evaluates Lua in the editor (for the plugin's pure functions and its state).
function ACTIONS.eval(step)
  local chunk = assert((loadstring or load)(step.lua))
  local value = chunk()
  if value == nil then
    value = vim.NIL
  end
  return { observed = value }
end

--- Waits until the Lua chunk returns `expect`.
function ACTIONS.wait_eval(step)
  local chunk = assert((loadstring or load)(step.lua))
  local ok, observed = wait(step.timeout, chunk, function(value)
    return same(value, step.expect)
  end)
  if observed == nil then
    observed = vim.NIL
  end
  return { ok = ok, observed = observed }
end

--- The buffer-local normal-mode mappings of the plugin (their description starts with "pytest-delta").
function ACTIONS.mappings(step)
  local found = {}
  vim.api.nvim_buf_call(buffer_for(step.path), function()
    for _, map in ipairs(vim.api.nvim_buf_get_keymap(0, "n")) do
      if map.desc and vim.startswith(map.desc, "pytest-delta") then
        table.insert(found, map.desc)
      end
    end
  end)
  table.sort(found)
  return { observed = found }
end

function ACTIONS.lenses(step)
  local bufnr = buffer_for(step.path)
  return { observed = displayed_lenses(bufnr), received = received_lenses(bufnr) }
end

function M.run(steps_path, result_path)
  local steps = read_json(steps_path)
  local results = { steps = {}, notifications = M.notifications, version = vim.version() }
  local ok, err = xpcall(function()
    for index, step in ipairs(steps) do
      local action = ACTIONS[step.op]
      if action == nil then
        error("unknown step " .. tostring(step.op))
      end
      local outcome = action(step)
      outcome.op = step.op
      outcome.index = index - 1
      results.steps[index] = outcome
      if outcome.ok == false then
        break
      end
    end
  end, debug.traceback)
  if not ok then
    results.error = err
  end
  results.messages = vim.api.nvim_exec("messages", true)
  write_json(result_path, results)
end

--- Records vim.notify calls, so the test can assert on what the plugin told the user.
M.notifications = {}
function M.capture_notifications()
  local original = vim.notify
  vim.notify = function(message, level, opts)
    table.insert(M.notifications, { message = message, level = level or vim.log.levels.INFO })
    return original(message, level, opts)
  end
end

return M
