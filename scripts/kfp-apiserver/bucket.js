// The one object-store call KFP's API server makes at start: does bucket "mlpipeline" exist (minio-go
// asks for its location, then HEADs it). Anything else is answered 501, so a use of the object
// store by the server would show up as a failure, not pass silently.
const http = require('node:http');
const port = Number(process.argv[2]);
http
  .createServer((req, res) => {
    console.log(req.method, req.url);
    if (req.method === 'GET' && /^\/mlpipeline\/?\?location=?$/.test(req.url)) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>');
    } else if (req.method === 'HEAD' && /^\/mlpipeline\/?$/.test(req.url)) {
      res.writeHead(200);
      res.end();
    } else {
      res.writeHead(501);
      res.end();
    }
  })
  .listen(port, '127.0.0.1');
