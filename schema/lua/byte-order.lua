-- above(a, b): a > b byte by byte, as Redis orders members by lex. why not Lua's '>': it
-- compares with strcoll, and Redis sets LC_COLLATE from its environment.
local function above(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
