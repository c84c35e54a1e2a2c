-- SPDX-License-Identifier: BSD-2-Clause
-- send.lua: one SMTP transaction through mxcheck-milter with miltertest.
-- Globals (miltertest -D NAME=VALUE):
--   sock      the milter's socket ("unix:/path")
--   file      the message (.eml, LF or CRLF); its header fields are sent
--             one by one as an MTA would, its body in 64 KB chunks
--   mailfrom  envelope sender;  rcpt  recipients, comma-separated
--   qid       the queue ID (macro i)
--   expect    the end-of-message reply: continue (or accept), tempfail,
--             reject
--   header    when set, a field of that name must have been inserted
--             (and "none": no field inserted)
--   action    send (default), abort (RSET after the header),
--             disconnect (abrupt close in the middle of the body),
--             bigheader (many large fields), bigbody (BIGBODY octets)
local function check(cond, what)
  if not cond then error("send.lua [" .. (qid or "?") .. "]: " .. what) end
end
action = action or "send"
mailfrom = mailfrom or "<>"
rcpt = rcpt or "reader@gmail.com"
qid = qid or "TESTQID"

local function read_msg(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  s = s:gsub("\r\n", "\n")
  local hdr, body = s:match("^(.-)\n\n(.*)$")
  if hdr == nil then hdr, body = s, "" end
  local fields = {}
  for line in (hdr .. "\n"):gmatch("(.-)\n") do
    if line:match("^[ \t]") and #fields > 0 then
      fields[#fields] = fields[#fields] .. "\n" .. line
    else
      fields[#fields + 1] = line
    end
  end
  return fields, body
end

local conn = mt.connect(sock, 100, 0.1)
check(conn ~= nil, "cannot connect to " .. sock)
mt.macro(conn, SMFIC_CONNECT, "j", "mta.example", "{client_addr}",
         "127.0.0.1")
check(mt.conninfo(conn, "localhost", "127.0.0.1") == nil, "conninfo")
-- replied: the step's reply, unless the milter asked for none (SMFIP_NR_*)
local function replied(opt, what)
  if not mt.test_option(conn, opt) then
    check(mt.getreply(conn) == SMFIR_CONTINUE, what .. " reply")
  end
end
replied(SMFIP_NR_CONN, "conninfo")
local leadspc = mt.test_option(conn, SMFIP_HDR_LEADSPC)
-- HELO first (when the milter wants it): miltertest drops the MAIL macros
-- at an implicit HELO
if not mt.test_option(conn, SMFIP_NOHELO) then
  check(mt.helo(conn, "client.example") == nil, "helo")
end
mt.macro(conn, SMFIC_MAIL, "i", qid, "{auth_authen}", "alice")
check(mt.mailfrom(conn, mailfrom) == nil, "mailfrom")
replied(SMFIP_NR_MAIL, "mailfrom")
for r in rcpt:gmatch("[^,]+") do
  check(mt.rcptto(conn, "<" .. r .. ">") == nil, "rcptto")
  replied(SMFIP_NR_RCPT, "rcptto")
end

local function send_field(name, value)
  if not leadspc then value = value:gsub("^ ", "") end
  check(mt.header(conn, name, value) == nil, "header " .. name)
  replied(SMFIP_NR_HDR, "header " .. name)
end

local fields, body = {}, ""
if file then fields, body = read_msg(file) end
if action == "bigheader" then
  -- 100 fields of 900 octets: over a max-header of 64 KB (miltertest
  -- itself overflows on longer fields)
  for i = 1, 100 do
    send_field("X-Big-" .. i, " " .. string.rep("x", 900))
  end
  check(mt.eoh(conn) == nil, "eoh")
  check(mt.getreply(conn) == SMFIR_ACCEPT,
        "the milter should give up on a huge header at its end")
  mt.disconnect(conn)
  return
end
for _, f in ipairs(fields) do
  local name, value = f:match("^([^:]*):(.*)$")
  if name and name ~= "" then
    send_field(name, value)
  end
end
if action == "abort" then
  check(mt.abort(conn) == nil, "abort")
  mt.disconnect(conn)
  return
end
check(mt.eoh(conn) == nil, "eoh")
check(mt.getreply(conn) == SMFIR_CONTINUE, "eoh reply")
body = body:gsub("\n", "\r\n")
if action == "bigbody" then
  local line = string.rep("y", 998) .. "\r\n"
  local chunk = string.rep(line, 64)
  local n = tonumber(BIGBODY or "4000000")
  for _ = 1, n // #chunk do
    check(mt.bodystring(conn, chunk) == nil, "bigbody")
    check(mt.getreply(conn) == SMFIR_CONTINUE, "bigbody reply")
  end
end
local off = 1
while off <= #body do
  check(mt.bodystring(conn, body:sub(off, off + 65000 - 1)) == nil, "body")
  check(mt.getreply(conn) == SMFIR_CONTINUE, "body reply")
  if action == "disconnect" then
    mt.disconnect(conn, false)
    return
  end
  off = off + 65000
end
if action == "disconnect" then
  mt.bodystring(conn, "half a line")
  mt.disconnect(conn, false)
  return
end
check(mt.eom(conn) == nil, "eom")
local r = mt.getreply(conn)
expect = expect or "continue"
if expect == "continue" or expect == "accept" then
  check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
        "eom reply " .. tostring(r) .. ", want continue/accept")
elseif expect == "tempfail" then
  -- a reply code set by smfi_setreply() ('y'); miltertest 2.11 exits
  -- when asked for MT_SMTPREPLY, so its text is checked through Postfix
  -- (tests/milter/postfix.sh)
  check(r == SMFIR_TEMPFAIL or r == (SMFIR_REPLYCODE or string.byte("y")),
        "eom reply " .. tostring(r) .. ", want tempfail")
elseif expect == "reject" then
  check(r == SMFIR_REJECT or r == (SMFIR_REPLYCODE or string.byte("y")),
        "eom reply " .. tostring(r) .. ", want reject")
end
if header == "none" then
  check(not mt.eom_check(conn, MT_HDRINSERT), "no field should be added")
  check(not mt.eom_check(conn, MT_HDRADD), "no field should be added")
elseif header then
  check(mt.eom_check(conn, MT_HDRINSERT, header), "no " .. header .. " field")
  local v = mt.getheader(conn, header, 0)
  if v then mt.echo(header .. ": " .. v) end
end
mt.disconnect(conn)
