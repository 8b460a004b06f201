// The part of fengari (a Lua VM in JavaScript, which ships no types) the guard tests use.
declare module "fengari" {
    type LuaState = { readonly __lua: unique symbol };
    export const lua: {
        LUA_OK: number;
        lua_tojsstring(state: LuaState, index: number): string;
        lua_isnil(state: LuaState, index: number): boolean;
    };
    export const lauxlib: {
        luaL_newstate(): LuaState;
        luaL_dostring(state: LuaState, code: Uint8Array): number;
    };
    export const lualib: { luaL_openlibs(state: LuaState): void };
    export function to_luastring(text: string): Uint8Array;
}
