-- A library for the script-composition test: a local function the composed script calls.
local function twice(n)
    return 2 * tonumber(n)
end
