// Types of web-build-rule.mjs (plain JavaScript so that `npm start` runs it before compiling anything).
export declare const WEB_SOURCES: string[];
export declare const WEB_OUTPUT: string;
export interface SourceTime {
  file: string;
  mtimeMs: number;
}
export declare function rebuildReason(builtMs: number | null, sources: SourceTime[]): string | null;
export declare function sourceTimes(root: string): SourceTime[];
export declare function webBuildReason(root: string): string | null;
