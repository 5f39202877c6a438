-- Entry point of the headless Neovim tests (tests/editors/test_neovim.py):
--   nvim --headless -i NONE -n -u editors/neovim/tests/init.lua
-- with $PYTEST_DELTA_SETUP (JSON options for setup()), $PYTEST_DELTA_STEPS and $PYTEST_DELTA_RESULT (files).
-- `-u` turns filetype detection off, and the scenario must start once Neovim is up: hence `filetype on` and
-- VimEnter + vim.schedule.
local plugin_root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
vim.opt.runtimepath:prepend(plugin_root)
package.path = plugin_root .. "/tests/?.lua;" .. package.path
vim.cmd("filetype on")
vim.o.swapfile = false

local driver = require("driver")
driver.capture_notifications()

-- Either a user's init file (the README's sample), or setup() with the test's options.
local user_init = os.getenv("PYTEST_DELTA_USER_INIT")
local setup_json = os.getenv("PYTEST_DELTA_SETUP")
if user_init ~= nil and user_init ~= "" then
  dofile(user_init)
elseif setup_json ~= nil and setup_json ~= "" then
  require("pytest_delta").setup(vim.fn.json_decode(setup_json))
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = function()
    vim.schedule(function()
      driver.run(os.getenv("PYTEST_DELTA_STEPS"), os.getenv("PYTEST_DELTA_RESULT"))
      vim.cmd("qall!")
    end)
  end,
})
