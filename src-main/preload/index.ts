// The preload bridge lands with the desktop shell.
export {};
