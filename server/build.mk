# ktls-httpd.  Links lib/ktls_gnutls.c through libktlslua when lib/build.mk
# builds the library; until then it compiles that file itself.
SERVER_SRCS := $(wildcard $(TOP)/server/*.c)
SERVER_HDRS := $(wildcard $(TOP)/server/*.h) $(TOP)/lib/include/ktls_lua_gnutls.h \
	$(TOP)/include/uapi/linux/ktls_lua.h
ifneq ($(wildcard $(TOP)/lib/build.mk),)
SERVER_LIBDEP := $(LIBKTLSLUA)
else
SERVER_LIBDEP := $(TOP)/lib/ktls_gnutls.c
endif

PROGRAMS += $(BUILD)/server/ktls-httpd

$(BUILD)/server/ktls-httpd: $(SERVER_SRCS) $(SERVER_HDRS) $(SERVER_LIBDEP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GNUTLS_CFLAGS) $(LUA_CFLAGS) -I$(TOP)/server -o $@ \
		$(SERVER_SRCS) $(SERVER_LIBDEP) $(LDFLAGS) $(GNUTLS_LIBS) $(LUA_LIBS)

# The unit tests include these sources: rebuild them when they change.
$(BUILD)/tests/unit/test_http_parse: $(TOP)/server/http_parse.c $(TOP)/server/http.h
$(BUILD)/tests/unit/test_http_util: $(TOP)/server/http_util.c $(TOP)/server/mime.c \
	$(TOP)/server/http.h $(TOP)/server/mime.h
$(BUILD)/tests/unit/test_http_lua: $(TOP)/server/lua.c $(TOP)/server/server.h \
	$(TOP)/scripts/http.lua $(wildcard $(TOP)/scripts/examples/*.lua)
$(BUILD)/tests/unit/test_ktls_gnutls: $(TOP)/lib/ktls_gnutls.c \
	$(TOP)/lib/include/ktls_lua_gnutls.h
