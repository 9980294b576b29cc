-- The ids a write scenario cycles through: the file wrk gets as its argument, one id a line.
return function(path)
  local ids = {}
  for line in io.lines(path) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  return ids
end
