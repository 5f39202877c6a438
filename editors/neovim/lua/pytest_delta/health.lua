-- :checkhealth pytest_delta: is the server there, which version, which root, is it running.
local M = {}

local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

local function neovim_path()
  if vim.fn.has("nvim-0.11") == 1 then
    return "vim.lsp.config / vim.lsp.enable"
  elseif vim.lsp.start ~= nil then
    return "vim.lsp.start"
  end
  return "vim.lsp.start_client + buf_attach_client"
end

local function check_server(status)
  local config = require("pytest_delta.config")
  local cmd = status.cmd
  if vim.fn.executable(cmd[1]) ~= 1 then
    error(string.format("server command not found: %s (from %s)", table.concat(cmd, " "), status.cmd_source), {
      "Install the server: " .. config.install_hint(cmd, status.cmd_source),
      "or set `cmd` or `interpreter` in require('pytest_delta').setup({...})",
    })
    return
  end
  local output = vim.fn.system(vim.list_extend(vim.deepcopy(cmd), { "--version" }))
  if vim.v.shell_error ~= 0 then
    error(string.format("`%s --version` failed: %s", table.concat(cmd, " "), vim.trim(output)), {
      "Install the server: " .. config.install_hint(cmd, status.cmd_source),
    })
    return
  end
  ok(string.format("server: %s (%s, from %s)", table.concat(cmd, " "), vim.trim(output), status.cmd_source))
end

--- The root of the first Python file open (the health report is a buffer of its own), else of the cwd.
local function check_root(status)
  local project = require("pytest_delta.project")
  local file
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(bufnr)
    if file == nil and vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].buftype == ""
      and vim.tbl_contains(status.options.filetypes, vim.bo[bufnr].filetype) and name ~= "" then
      file = name
    end
  end
  local start = file or (vim.fn.getcwd() .. "/.")
  local root = project.find_root(start, status.options.root_markers)
  if root == nil then
    warn("no project root marker (" .. table.concat(status.options.root_markers, ", ") .. ") above "
      .. (file or vim.fn.getcwd()) .. "; the current directory will be used as the root")
  else
    ok("project root: " .. root .. (file and (" (for " .. vim.fn.fnamemodify(file, ":~:.") .. ")") or ""))
  end
end

local function check_clients()
  local clients = require("pytest_delta").clients()
  if #clients == 0 then
    info("the server is not running yet: it starts with the first Python buffer")
    return
  end
  for _, client in ipairs(clients) do
    local stopped
    if vim.fn.has("nvim-0.11") == 1 then
      stopped = client:is_stopped()
    else
      stopped = client.is_stopped()
    end
    local running = not stopped
    if running then
      ok(string.format("client %d running for %s", client.id, tostring(client.config.root_dir)))
    else
      error(string.format("client %d stopped (see :lua vim.cmd.edit(vim.lsp.get_log_path()))", client.id))
    end
  end
end

function M.check()
  start("pytest_delta")
  local status = require("pytest_delta").status()
  if status.options == nil then
    error("setup() was not called", { "Add require('pytest_delta').setup({}) to your init.lua" })
    return
  end
  local version = vim.version()
  ok(string.format("Neovim %d.%d.%d: the server is started with %s", version.major, version.minor, version.patch,
    neovim_path()))
  check_server(status)
  check_root(status)
  check_clients()
end

return M
