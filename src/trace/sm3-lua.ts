/**
 * SM3 (GB/T 32905-2016) in Redis's Lua 5.1 with its `bit` library: the trace chain's hash
 * is computed inside the script that appends an event, from the case's head read in the
 * same atomic step, so two processes appending to one case at once cannot fork the chain
 * (a hash computed in Node from a head read earlier could). Node's crypto verifies it
 * (test/internals/trace-sm3.int.test.ts compares both on random inputs).
 * Defines `sm3hex(text)`. Sums are taken mod 2^32 by `bit.tobit` (exact below 2^51).
 */
export const SM3_LUA = `
local band, bor, bxor, bnot, rol, tobit, tohex = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rol, bit.tobit, bit.tohex
local SM3_IV = { 0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e }
local SM3_T = {}
for j = 0, 63 do SM3_T[j] = rol(tobit(j < 16 and 0x79cc4519 or 0x7a879d8a), j % 32) end
local function p0 (x) return bxor(x, rol(x, 9), rol(x, 17)) end
local function p1 (x) return bxor(x, rol(x, 15), rol(x, 23)) end
local function sm3hex (msg)
  local bits = #msg * 8
  local pad = (55 - #msg) % 64
  msg = msg .. '\\128' .. string.rep('\\0', pad)
  local hi, lo = math.floor(bits / 4294967296), bits % 4294967296
  local function be (n) return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256) end
  msg = msg .. be(hi) .. be(lo)
  local v = {}
  for i = 1, 8 do v[i] = tobit(SM3_IV[i]) end
  local w, w1 = {}, {}
  for off = 1, #msg, 64 do
    for j = 0, 15 do
      local b1, b2, b3, b4 = string.byte(msg, off + j * 4, off + j * 4 + 3)
      w[j] = tobit(b1 * 16777216 + b2 * 65536 + b3 * 256 + b4)
    end
    for j = 16, 67 do
      w[j] = bxor(p1(bxor(w[j - 16], w[j - 9], rol(w[j - 3], 15))), rol(w[j - 13], 7), w[j - 6])
    end
    for j = 0, 63 do w1[j] = bxor(w[j], w[j + 4]) end
    local a, b, c, d, e, f, g, h = v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
    for j = 0, 63 do
      local a12 = rol(a, 12)
      local ss1 = rol(tobit(a12 + e + SM3_T[j]), 7)
      local ss2 = bxor(ss1, a12)
      local ff, gg
      if j < 16 then ff = bxor(a, b, c); gg = bxor(e, f, g)
      else ff = bor(band(a, b), band(a, c), band(b, c)); gg = bor(band(e, f), band(bnot(e), g)) end
      local tt1 = tobit(ff + d + ss2 + w1[j])
      local tt2 = tobit(gg + h + ss1 + w[j])
      d = c; c = rol(b, 9); b = a; a = tt1
      h = g; g = rol(f, 19); f = e; e = p0(tt2)
    end
    v[1], v[2], v[3], v[4] = bxor(v[1], a), bxor(v[2], b), bxor(v[3], c), bxor(v[4], d)
    v[5], v[6], v[7], v[8] = bxor(v[5], e), bxor(v[6], f), bxor(v[7], g), bxor(v[8], h)
  end
  local out = {}
  for i = 1, 8 do out[i] = tohex(v[i], 8) end
  return table.concat(out)
end
`
