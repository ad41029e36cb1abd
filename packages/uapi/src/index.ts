export * from "./errno.ts";
