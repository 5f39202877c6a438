-- The pytest node id of the test around the cursor, from indentation alone (no treesitter parser needed, so
-- it works the same on Neovim 0.7 and 0.11). The same rules as the VS Code extension's testAtCursor.ts.
local M = {}

local function indentation(line)
  local leading = line:match("^[ \t]*")
  return #(leading:gsub("\t", "        "))
end

local function is_code(line)
  local stripped = vim.trim(line)
  return stripped ~= "" and stripped:sub(1, 1) ~= "#"
end

local function definition(line)
  local name = line:match("^%s*async%s+def%s+([%a_][%w_]*)") or line:match("^%s*def%s+([%a_][%w_]*)")
  if name then
    return { name = name, is_class = false }
  end
  name = line:match("^%s*class%s+([%a_][%w_]*)")
  if name then
    return { name = name, is_class = true }
  end
  return nil
end

--- The definitions enclosing 1-based `lnum`, outermost first.
function M.enclosing(lines, lnum)
  local start = math.max(1, math.min(lnum, #lines))
  while start < #lines and lines[start]:match("^%s*@") do
    start = start + 1
  end
  local found = {}
  local limit = math.huge
  for index = start, 1, -1 do
    local text = lines[index]
    if is_code(text) then
      local indent = indentation(text)
      local def = definition(text)
      if index == start and def then
        table.insert(found, 1, def)
        limit = indent
      elseif indent < limit then
        if def then
          table.insert(found, 1, def)
        end
        limit = indent
      end
      if limit == 0 then
        break
      end
    end
  end
  return found
end

--- `{ "TestCart", "test_total" }` for the test at `lnum`, or nil outside a test.
function M.test_at(lines, lnum)
  local parts = {}
  for _, def in ipairs(M.enclosing(lines, lnum)) do
    if def.is_class and vim.startswith(def.name, "Test") then
      table.insert(parts, def.name)
    else
      if not def.is_class and vim.startswith(def.name, "test") then
        table.insert(parts, def.name)
      end
      break
    end
  end
  if #parts == 0 then
    return nil
  end
  return parts
end

function M.node_id(relative_path, parts)
  return table.concat(vim.list_extend({ (relative_path:gsub("\\", "/")) }, parts), "::")
end

return M
