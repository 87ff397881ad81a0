-- Extends the lease KEYS[1] by ARGV[2] ms if instance ARGV[1] still holds it; 1 if so, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
