'use strict';
// n8n 1.123.81 (latest 1.x) on Node 20: see suite.js and examples.js
require('./suite')(1);
require('./examples')(1);
