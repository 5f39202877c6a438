-- Options: defaults, validation, and what they turn into (the server command line and the settings object
-- the server reads). Pure functions, so they behave the same on every Neovim version.
local M = {}

M.defaults = {
  -- Full server command line, e.g. { "/path/to/venv/bin/pytest-delta-lsp" }. nil: derived (see resolve_cmd).
  cmd = nil,
  -- The project's Python: runs the server (unless cmd is set) and pytest. nil: see resolve_cmd.
  interpreter = nil,
  -- Extra arguments for `pytest --delta` runs.
  pytest_args = {},
  -- Snapshot file (pytest's --delta-file). nil: the server's default (.delta.msgpack in the root).
  delta_file = nil,
  -- Milliseconds the server waits after typing before recomputing. nil: the server's default (300).
  debounce_ms = nil,
  filetypes = { "python" },
  -- Files or directories that mark the project root (pytest's rootdir); the nearest one wins.
  root_markers = { "pyproject.toml", "pytest.ini", "setup.cfg", "setup.py", "tox.ini", ".git" },
  -- Show code lenses and refresh them on these events (Neovim has no server-driven lens refresh).
  codelens = true,
  refresh_events = { "BufEnter", "InsertLeave", "BufWritePost", "CursorHold" },
  -- Buffer-local mappings in Python buffers; set `mappings = false` (or a key to false) to turn them off.
  mappings = {
    run_affected = "<leader>da",
    run_test = "<leader>dt",
    run_lens = "<leader>dl",
  },
  -- Called as on_attach(client, bufnr) after the plugin's own setup of the buffer.
  on_attach = nil,
}

local function is_list_of_strings(value)
  if type(value) ~= "table" then
    return false
  end
  for _, item in ipairs(value) do
    if type(item) ~= "string" then
      return false
    end
  end
  return true
end

local CHECKS = {
  cmd = { function(v) return v == nil or (is_list_of_strings(v) and #v > 0) end, "a non-empty list of strings" },
  interpreter = { function(v) return v == nil or type(v) == "string" end, "a path" },
  pytest_args = { is_list_of_strings, "a list of strings" },
  delta_file = { function(v) return v == nil or type(v) == "string" end, "a path" },
  debounce_ms = { function(v) return v == nil or (type(v) == "number" and v >= 0) end, "a number >= 0" },
  filetypes = { is_list_of_strings, "a list of filetypes" },
  root_markers = { is_list_of_strings, "a list of file names" },
  codelens = { function(v) return type(v) == "boolean" end, "true or false" },
  refresh_events = { is_list_of_strings, "a list of autocommand events" },
  mappings = { function(v) return v == false or type(v) == "table" end, "false or a table" },
  on_attach = { function(v) return v == nil or type(v) == "function" end, "a function" },
}

--- Merges user options onto the defaults. Returns the options and a list of problems (unknown keys, wrong
--- types); a bad value is reported and its default kept, so a typo never leaves the user without the plugin.
function M.merge(user)
  local merged = vim.deepcopy(M.defaults)
  local problems = {}
  for key, value in pairs(user or {}) do
    local check = CHECKS[key]
    if check == nil then
      table.insert(problems, string.format("unknown option %q ignored", key))
    elseif not check[1](value) then
      table.insert(problems, string.format("option %q must be %s; using the default", key, check[2]))
    elseif key == "mappings" and type(value) == "table" then
      merged.mappings = vim.tbl_extend("force", merged.mappings, value)
    else
      merged[key] = value
    end
  end
  return merged, problems
end

local function expand(path)
  return (vim.fn.expand(path))
end

--- The server command line and where it came from: `cmd`, else `interpreter -m pytest_delta_lsp`, else the
--- `pytest-delta-lsp` script on PATH, else `python3 -m pytest_delta_lsp`.
function M.resolve_cmd(options, executable)
  executable = executable or function(name) return vim.fn.executable(name) == 1 end
  if options.cmd ~= nil then
    local cmd = vim.deepcopy(options.cmd)
    cmd[1] = expand(cmd[1])
    return cmd, "cmd"
  end
  if options.interpreter ~= nil then
    return { expand(options.interpreter), "-m", "pytest_delta_lsp" }, "interpreter"
  end
  if executable("pytest-delta-lsp") then
    return { "pytest-delta-lsp" }, "PATH"
  end
  return { "python3", "-m", "pytest_delta_lsp" }, "default"
end

--- How to install the server for the resolved command.
function M.install_hint(cmd, source)
  if source == "interpreter" or source == "default" then
    return string.format("%s -m pip install 'pytest-delta[lsp]'", cmd[1])
  end
  return "pip install 'pytest-delta[lsp]' (into the project's environment)"
end

--- The server's settings (initializationOptions and the `pytestDelta` settings section): only what the
--- user set, so the server's defaults apply otherwise. Always a JSON object, never an empty array.
function M.server_settings(options)
  local settings = vim.empty_dict()
  if options.interpreter ~= nil then
    settings.interpreter = expand(options.interpreter)
  end
  if #options.pytest_args > 0 then
    settings.pytestArgs = options.pytest_args
  end
  if options.delta_file ~= nil then
    settings.deltaFile = expand(options.delta_file)
  end
  if options.debounce_ms ~= nil then
    settings.debounceMs = options.debounce_ms
  end
  return settings
end

return M
