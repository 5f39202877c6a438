-- Keeping the server's code lenses current. Neovim refreshes lenses only when asked, and its own
-- vim.lsp.codelens.refresh() drops a request while one is in flight for the buffer, which loses the update
-- that matters (the one after the server finished analysing an edit). So requests go through here: one in
-- flight per buffer, and a request made meanwhile is replayed when the answer arrives.
local M = {}

local uv = vim.uv or vim.loop

local function client_request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end
M.client_request = client_request

--- Shows `result` as lenses; on Neovim < 0.10 an empty answer does not clear the old virtual text, so that is
--- done here.
local function show(err, result, ctx, config)
  if err == nil and (result == nil or next(result) == nil) then
    local namespaces = vim.lsp.codelens.__namespaces
    if namespaces ~= nil and vim.api.nvim_buf_is_loaded(ctx.bufnr) then
      vim.api.nvim_buf_clear_namespace(ctx.bufnr, namespaces[ctx.client_id], 0, -1)
    end
  end
  vim.lsp.codelens.on_codelens(err, result, ctx, config)
end

--- A refresher for one client: `refresh(bufnr)` asks for that buffer's lenses now; `refresh_visible()` for
--- every attached buffer shown in a window; `refresh_later(ms)` does the latter once typing has paused.
function M.new(get_client)
  local inflight = {}
  local again = {}
  local timer = uv.new_timer()
  local self = {}

  function self.refresh(bufnr)
    local client = get_client()
    if client == nil or not vim.api.nvim_buf_is_loaded(bufnr) or not vim.lsp.buf_is_attached(bufnr, client.id) then
      return
    end
    if inflight[bufnr] then
      again[bufnr] = true
      return
    end
    inflight[bufnr] = true
    local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
    local ok = client_request(client, "textDocument/codeLens", params, function(err, result, ctx, config)
      inflight[bufnr] = nil
      if vim.api.nvim_buf_is_loaded(bufnr) then
        ctx = ctx or { bufnr = bufnr, client_id = client.id }
        ctx.bufnr = ctx.bufnr or bufnr
        show(err, result, ctx, config)
      end
      if again[bufnr] then
        again[bufnr] = nil
        self.refresh(bufnr)
      end
    end, bufnr)
    if not ok then
      inflight[bufnr] = nil
    end
  end

  function self.refresh_visible()
    local client = get_client()
    if client == nil then
      return
    end
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and vim.lsp.buf_is_attached(bufnr, client.id)
        and #vim.fn.win_findbuf(bufnr) > 0 then
        self.refresh(bufnr)
      end
    end
  end

  function self.refresh_later(delay_ms)
    timer:stop()
    timer:start(delay_ms, 0, vim.schedule_wrap(self.refresh_visible))
  end

  function self.forget(bufnr)
    inflight[bufnr] = nil
    again[bufnr] = nil
  end

  function self.close()
    timer:stop()
    if not timer:is_closing() then
      timer:close()
    end
  end

  return self
end

return M
