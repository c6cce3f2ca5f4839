-- Returns twice ARGV[1], calling the function of lib_twice.lua it is composed with.
return twice(ARGV[1])
