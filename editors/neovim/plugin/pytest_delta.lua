-- Commands only; nothing starts until require("pytest_delta").setup() is called.
if vim.g.loaded_pytest_delta then
  return
end
vim.g.loaded_pytest_delta = true

local function delta()
  return require("pytest_delta")
end

vim.api.nvim_create_user_command("DeltaRunAffected", function()
  delta().run_affected()
end, { desc = "pytest-delta: run the tests that the current changes affect" })

vim.api.nvim_create_user_command("DeltaRunTest", function(args)
  delta().run_test(args.args)
end, { nargs = "?", desc = "pytest-delta: run the test under the cursor, or the given node id" })

vim.api.nvim_create_user_command("DeltaRebuild", function()
  delta().rebuild()
end, { desc = "pytest-delta: re-index the project" })

vim.api.nvim_create_user_command("DeltaAffected", function()
  delta().affected_to_quickfix()
end, { desc = "pytest-delta: list the affected tests in the quickfix list" })
