using S4AL.Node;

return await S4alCli.InvokeAsync(args);
