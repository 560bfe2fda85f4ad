'use strict';
// n8n 2.41.1 on Node 24 (from the npm registry): see suite.js and examples.js
require('./suite')(2);
require('./examples')(2);
