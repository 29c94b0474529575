System.Console.WriteLine("s4al");
