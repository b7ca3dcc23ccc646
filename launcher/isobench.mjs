#!/usr/bin/env node
// The `isobench` command. It lives in this workspace (launcher/), not in the root package.json: `npx isobench`
// run in the project finds it on node_modules/.bin and starts it at once, where a bin of the root
// package would make npm install the project into its npx cache and read its whole tree every time.
import '../bin/isobench.mjs';
