'use strict';
// n8n 2.41.1 on Node 24 (from the npm registry): see suite.js, examples.js and bursts.js
require('./suite')(2);
require('./examples')(2);
require('./bursts')(2);
