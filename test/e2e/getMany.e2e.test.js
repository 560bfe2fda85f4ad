'use strict';
// Get Many (node version 2) on both n8n lines: see getMany.js
require('./getMany')(2);
require('./getMany')(1);
