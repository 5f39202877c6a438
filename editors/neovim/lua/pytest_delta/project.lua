-- Finding the project root the server should index (pytest's rootdir): the nearest directory, upward from
-- the buffer's file, that holds one of the root markers. Written without vim.fs, which 0.7 lacks.
local M = {}

local uv = vim.uv or vim.loop

function M.find_root(path, markers)
  if path == nil or path == "" then
    return nil
  end
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The root for a buffer: by markers, else the current directory (a loose script still gets a server).
function M.root_for_buffer(bufnr, markers)
  return M.find_root(vim.api.nvim_buf_get_name(bufnr), markers) or vim.fn.getcwd()
end

--- `path` relative to `root`, or nil when it is outside.
function M.relative(path, root)
  local absolute = vim.fn.fnamemodify(path, ":p")
  local prefix = vim.fn.fnamemodify(root, ":p")
  if prefix:sub(-1) ~= "/" then
    prefix = prefix .. "/"
  end
  if absolute:sub(1, #prefix) == prefix then
    return absolute:sub(#prefix + 1)
  end
  return nil
end

return M
