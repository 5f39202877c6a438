-- pytest-delta for Neovim: starts pytest-delta-lsp for Python buffers, keeps its code lenses current, and
-- runs affected tests through the server's executeCommand. See README.md for the options.
local config = require("pytest_delta.config")
local lenses = require("pytest_delta.lenses")
local project = require("pytest_delta.project")
local testnode = require("pytest_delta.testnode")

local M = {}

M.name = "pytest_delta"

local COMMANDS = {
  run_affected = "pytestDelta.runAffected",
  run_test = "pytestDelta.runTest",
  rebuild = "pytestDelta.rebuild",
}
local AFFECTED_TESTS = "pytestDelta/affectedTests"
-- Time between the last edit and the lens refresh: Neovim's own didChange debounce (150 ms) plus the
-- server's analysis debounce, plus a margin. The server's codeLens/refresh request usually comes first.
local EDIT_MARGIN_MS = 400
local DEFAULT_DEBOUNCE_MS = 300

-- Everything setup() decides, in one place; nil until setup() runs.
local state = {
  options = nil,
  cmd = nil,
  cmd_source = nil,
  group = nil,
  refreshers = {}, -- client id -> lens refresher
  running = {}, -- client id -> what is running
  legacy_clients = {}, -- root -> client id (Neovim 0.7, without vim.lsp.start)
  last_run = nil, -- { what, ok, message } of the last finished command
}

local function notify(message, level)
  vim.notify("pytest_delta: " .. message, level or vim.log.levels.INFO)
end

local function our_clients()
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ name = M.name }) or vim.lsp.get_active_clients()
  return vim.tbl_filter(function(client)
    return client.name == M.name
  end, clients)
end
M.clients = our_clients

--- The client for a buffer: the one attached to it, else the one whose root holds its file, else any.
local function client_for(bufnr)
  local clients = our_clients()
  for _, client in ipairs(clients) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  for _, client in ipairs(clients) do
    if client.config.root_dir and project.relative(name, client.config.root_dir) then
      return client
    end
  end
  return clients[1]
end

local function refresher_for(client_id)
  local refresher = state.refreshers[client_id]
  if refresher == nil then
    refresher = lenses.new(function()
      return vim.lsp.get_client_by_id(client_id)
    end)
    state.refreshers[client_id] = refresher
  end
  return refresher
end

local function edit_delay()
  return (state.options.debounce_ms or DEFAULT_DEBOUNCE_MS) + EDIT_MARGIN_MS
end

local function set_mappings(bufnr)
  local mappings = state.options.mappings
  if mappings == false then
    return
  end
  local actions = {
    run_affected = { M.run_affected, "pytest-delta: run affected tests" },
    run_test = { function() M.run_test() end, "pytest-delta: run the test under the cursor" },
    run_lens = { vim.lsp.codelens.run, "pytest-delta: run the code lens on this line" },
    rebuild = { M.rebuild, "pytest-delta: rebuild the index" },
  }
  for key, lhs in pairs(mappings) do
    local action = actions[key]
    if action ~= nil and type(lhs) == "string" and lhs ~= "" then
      vim.keymap.set("n", lhs, action[1], { buffer = bufnr, desc = action[2], silent = true })
    end
  end
end

local function on_attach(client, bufnr)
  local refresher = refresher_for(client.id)
  if state.options.codelens then
    vim.api.nvim_clear_autocmds({ group = state.group, buffer = bufnr })
    vim.api.nvim_create_autocmd(state.options.refresh_events, {
      group = state.group,
      buffer = bufnr,
      desc = "pytest-delta: refresh code lenses",
      callback = function(args)
        refresher.refresh(args.buf)
        if args.event == "InsertLeave" or args.event == "BufWritePost" then
          -- An edit here can change the lenses of the test file in the other window.
          refresher.refresh_later(edit_delay())
        end
      end,
    })
    vim.api.nvim_buf_attach(bufnr, false, {
      on_lines = function()
        if vim.lsp.get_client_by_id(client.id) == nil then
          return true
        end
        refresher.refresh_later(edit_delay())
      end,
      on_detach = function()
        refresher.forget(bufnr)
      end,
    })
    refresher.refresh(bufnr)
  end
  set_mappings(bufnr)
  if state.options.on_attach ~= nil then
    state.options.on_attach(client, bufnr)
  end
end

--- Neovim advertises no workspace.codeLens.refreshSupport; the plugin does, and answers the server's
--- refresh requests by asking again for the lenses of the visible buffers.
local function on_codelens_refresh(_, _, ctx)
  local refresher = state.refreshers[ctx.client_id]
  if refresher ~= nil then
    vim.schedule(refresher.refresh_visible)
  end
  return vim.NIL
end

local function capabilities()
  return vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), {
    workspace = { codeLens = { refreshSupport = true } },
  })
end

local function on_exit(_, _, client_id)
  local refresher = state.refreshers[client_id]
  if refresher ~= nil then
    refresher.close()
    state.refreshers[client_id] = nil
  end
  state.running[client_id] = nil
end

--- The client configuration; `root_dir` is a path (0.7 to 0.10) or nil for 0.11's root function.
function M.client_config(root_dir)
  local settings = config.server_settings(state.options)
  local markers = state.options.root_markers
  return {
    name = M.name,
    cmd = state.cmd,
    filetypes = state.options.filetypes,
    root_dir = root_dir or function(bufnr, on_dir)
      on_dir(project.root_for_buffer(bufnr, markers))
    end,
    init_options = settings,
    settings = { pytestDelta = settings },
    capabilities = capabilities(),
    handlers = { ["workspace/codeLens/refresh"] = on_codelens_refresh },
    on_attach = on_attach,
    on_exit = on_exit,
  }
end

--- Starts (or reuses) the server for the buffer's project and attaches it; Neovim 0.7 to 0.10.
function M.attach(bufnr)
  if vim.bo[bufnr].buftype ~= "" or vim.api.nvim_buf_get_name(bufnr) == "" then
    return
  end
  local root = project.root_for_buffer(bufnr, state.options.root_markers)
  if vim.lsp.start ~= nil then
    vim.lsp.start(M.client_config(root), { bufnr = bufnr })
    return
  end
  local id = state.legacy_clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(M.client_config(root))
    state.legacy_clients[root] = id
  end
  if id ~= nil then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.setup(user_options)
  local options, problems = config.merge(user_options)
  for _, problem in ipairs(problems) do
    notify(problem, vim.log.levels.WARN)
  end
  state.options = options
  state.cmd, state.cmd_source = config.resolve_cmd(options)
  state.group = vim.api.nvim_create_augroup("pytest_delta", { clear = true })
  if vim.fn.executable(state.cmd[1]) ~= 1 then
    notify(
      string.format("%q was not found; install the server: %s (or set `cmd`/`interpreter`; see :checkhealth pytest_delta)",
        state.cmd[1], config.install_hint(state.cmd, state.cmd_source)),
      vim.log.levels.ERROR
    )
    return
  end
  if vim.fn.has("nvim-0.11") == 1 then
    vim.lsp.config(M.name, M.client_config(nil))
    vim.lsp.enable(M.name)
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = state.group,
    pattern = options.filetypes,
    desc = "pytest-delta: start the language server",
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(options.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

--- What setup() resolved, for the health check and statuslines.
function M.status()
  return {
    options = state.options,
    cmd = state.cmd,
    cmd_source = state.cmd_source,
    running = vim.deepcopy(state.running),
    last_run = state.last_run,
  }
end

--- "1 failed, 2 passed" from the server's run summary ({status, passed, failed, errors, skipped, message}).
function M.describe_result(result)
  if type(result) ~= "table" then
    return "done"
  end
  if result.status == "refused" or result.status == "error" then
    return result.message or result.status
  end
  local parts = {}
  for _, key in ipairs({ "failed", "errors", "passed", "skipped" }) do
    local count = result[key]
    if type(count) == "number" and count > 0 then
      table.insert(parts, string.format("%d %s", count, key == "errors" and (count == 1 and "error" or "errors") or key))
    end
  end
  if result.files ~= nil then
    return string.format("%d files indexed", result.files)
  end
  local counts = #parts > 0 and table.concat(parts, ", ") or "no tests ran"
  if result.status == "cancelled" then
    return "cancelled (" .. counts .. ")"
  end
  return counts
end

local function execute(command, arguments, what)
  if state.options == nil then
    notify("call require('pytest_delta').setup() first", vim.log.levels.ERROR)
    return
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if client == nil then
    notify("the language server is not running; open a Python file (see :checkhealth pytest_delta)",
      vim.log.levels.ERROR)
    return
  end
  if state.running[client.id] ~= nil then
    notify(state.running[client.id] .. " is still in progress", vim.log.levels.WARN)
    return
  end
  state.running[client.id] = what
  notify(what .. "…")
  local params = { command = command }
  if #arguments > 0 then
    params.arguments = arguments
  end
  lenses.client_request(client, "workspace/executeCommand", params, function(err, result)
    state.running[client.id] = nil
    if err ~= nil then
      state.last_run = { what = what, ok = false, message = err.message }
      notify(what .. " failed: " .. tostring(err.message), vim.log.levels.ERROR)
    else
      local failed = type(result) == "table" and result.status ~= "passed" and result.status ~= nil
      state.last_run = { what = what, ok = true, status = type(result) == "table" and result.status or vim.NIL,
        message = M.describe_result(result) }
      notify(what .. ": " .. state.last_run.message, failed and vim.log.levels.WARN or vim.log.levels.INFO)
    end
    -- What passed is no longer affected: the lenses change after every run.
    refresher_for(client.id).refresh_visible()
    vim.api.nvim_exec_autocmds("User", { pattern = "PytestDeltaRunFinished", modeline = false })
  end, bufnr)
end

function M.run_affected()
  execute(COMMANDS.run_affected, {}, "running the affected tests")
end

--- Runs `node_id`, or the test under the cursor.
function M.run_test(node_id)
  if node_id == nil or node_id == "" then
    local bufnr = vim.api.nvim_get_current_buf()
    local client = client_for(bufnr)
    local parts = testnode.test_at(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), vim.api.nvim_win_get_cursor(0)[1])
    local relative = client and client.config.root_dir
      and project.relative(vim.api.nvim_buf_get_name(bufnr), client.config.root_dir)
    if parts == nil or relative == nil then
      notify("put the cursor inside a test function or class of the project", vim.log.levels.WARN)
      return
    end
    node_id = testnode.node_id(relative, parts)
  end
  execute(COMMANDS.run_test, { node_id }, "running " .. node_id)
end

function M.rebuild()
  execute(COMMANDS.rebuild, {}, "rebuilding the index")
end

--- Fills the quickfix list with the affected tests (`pytestDelta/affectedTests`) and opens it.
function M.affected_to_quickfix()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if client == nil then
    notify("the language server is not running", vim.log.levels.ERROR)
    return
  end
  lenses.client_request(client, AFFECTED_TESTS, vim.empty_dict(), function(err, result)
    if err ~= nil then
      notify("listing affected tests failed: " .. tostring(err.message), vim.log.levels.ERROR)
      return
    end
    -- The answer is { state, snapshot, tests }; a bare list is accepted too.
    result = result or {}
    if result.state == "indexing" then
      notify("the server is still indexing the project; try again in a moment")
      return
    end
    local items = {}
    for _, test in ipairs(result.tests or result) do
      local reason = test.reason
      if type(reason) == "table" then
        reason = reason.text or reason.summary or vim.inspect(reason, { newline = " ", indent = "" })
      end
      table.insert(items, {
        filename = vim.uri_to_fname(test.uri),
        lnum = test.range.start.line + 1,
        col = test.range.start.character + 1,
        text = test.nodeId .. (reason and (": " .. tostring(reason)) or ""),
      })
    end
    vim.fn.setqflist({}, " ", { title = "pytest-delta: affected tests", items = items })
    if #items == 0 then
      notify("no test is affected")
    else
      vim.cmd("copen")
    end
  end, bufnr)
end

return M
