-- A minimal init.lua for Neovim without a plugin manager: pytest-delta's code lenses, commands and
-- diagnostics in Python projects. Try it with `nvim -u /path/to/this/file`, or copy it into
-- ~/.config/nvim/init.lua.
--
-- Assumes a checkout of the pytest-delta repository (set PYTEST_DELTA_CHECKOUT, or edit the path) and the
-- server installed into the project's environment: `pip install 'pytest-delta[lsp]'`.
local checkout = vim.env.PYTEST_DELTA_CHECKOUT or vim.fn.expand("~/src/pytest-delta")
vim.opt.runtimepath:prepend(checkout .. "/editors/neovim")
vim.cmd("filetype plugin on")

require("pytest_delta").setup({
  -- The project's Python, if `pytest-delta-lsp` is not on PATH (e.g. an activated virtualenv):
  -- interpreter = vim.fn.getcwd() .. "/.venv/bin/python",
  -- pytest_args = { "-x" },
  -- mappings = false,  -- no <leader>da / <leader>dt / <leader>dl
})

-- Show diagnostics (failed tests) inline, and refresh lenses sooner than the default 4 s CursorHold.
vim.diagnostic.config({ virtual_text = true })
vim.o.updatetime = 1000
