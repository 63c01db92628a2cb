PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE staff (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	subsidiary VARCHAR(200) NOT NULL, 
	period VARCHAR(7) NOT NULL, 
	source_file TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	name TEXT, 
	staff_no TEXT, 
	position TEXT, 
	phone TEXT, 
	region TEXT, 
	PRIMARY KEY (id)
);
CREATE TABLE customers (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	subsidiary VARCHAR(200) NOT NULL, 
	period VARCHAR(7) NOT NULL, 
	source_file TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	customer_no TEXT, 
	customer_name TEXT, 
	uscc TEXT, 
	org_code TEXT, 
	reg_no TEXT, 
	tax_no TEXT, 
	legal_rep TEXT, 
	registered_capital BIGINT, 
	founded DATE, 
	org_type TEXT, 
	industry TEXT, 
	province TEXT, 
	city TEXT, 
	address TEXT, 
	contact TEXT, 
	phone TEXT, 
	relationship TEXT, 
	stage TEXT, 
	since DATE, 
	salesperson TEXT, 
	archivist TEXT, 
	payment_terms TEXT, 
	credit_days INTEGER, 
	opening_balance BIGINT, 
	suggested_class TEXT, 
	remarks TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO customers VALUES(1,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',2,'C001','客户C001有限公司','91110000100000016D','100000016','110108012345678','91110000100000016D','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(2,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',3,'C002','客户C002有限公司','911100001000000248','100000024','110108012345678','911100001000000248','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(3,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',4,'C003','客户C003有限公司','911100001000000323','100000032','110108012345678','911100001000000323','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(4,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',5,'C004','客户C004有限公司','91110000100000040X','100000040','110108012345678','91110000100000040X','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(5,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',6,'C005','客户C005有限公司','91110000100000059T','100000059','110108012345678','91110000100000059T','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(6,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',7,'C007','客户C007有限公司','91110000100000075G','100000075','110108012345678','91110000100000075G','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(7,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',2,'C001','客户C001有限公司','91110000100000016D','100000016','110108012345678','91110000100000016D','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(8,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',3,'C002','客户C002有限公司','911100001000000248','100000024','110108012345678','911100001000000248','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','周八','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(9,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',4,'C003','客户C003有限公司','911100001000000323','100000032','110108012345678','911100001000000323','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(10,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',5,'C004','客户C004有限公司','91110000100000040X','100000040','110108012345678','91110000100000040X','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(11,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',6,'C005','客户C005有限公司','91110000100000059T','100000059','110108012345678','91110000100000059T','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(12,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',7,'C006','客户C006有限公司','91110000100000067M','100000067','110108012345678','91110000100000067M','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(13,'2026-03','贸易公司','2026Q1','2026-03/other.xlsx',2,'T01','客户T01有限公司','91110000100000016D','100000016','110108012345678','91110000100000016D','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
INSERT INTO customers VALUES(14,'2026-03','医药公司','2026-03','2026-03/pharma.xlsx',2,'M01','客户M01有限公司','91110000100000016D','100000016','110108012345678','91110000100000016D','赵六',50000,'2010-05-01','民营企业','化工','广东省','广州','天河路1号','钱七','020-12345678','直销客户','已签约','2020-01-01','王五','孙八','月结',30,1000000,'A',NULL);
CREATE TABLE transactions (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	subsidiary VARCHAR(200) NOT NULL, 
	period VARCHAR(7) NOT NULL, 
	source_file TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	customer_uscc VARCHAR(18), 
	date DATE, 
	document_no TEXT, 
	customer_no TEXT, 
	customer_name TEXT, 
	type TEXT, 
	product TEXT, 
	quantity BIGINT, 
	unit_price BIGINT, 
	amount BIGINT, 
	salesperson TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO transactions VALUES(1,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',2,'911100001000000248','2025-03-10','A1','C002','客户C002有限公司','发货','产品甲',NULL,NULL,50000000,'王五');
INSERT INTO transactions VALUES(2,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',3,'91110000100000016D','2025-03-10','A2','C001','客户C001有限公司','发货','产品甲',NULL,NULL,10000000,'王五');
INSERT INTO transactions VALUES(3,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',4,'911100001000000323','2025-03-10','A3','C003','客户C003有限公司','发货','产品甲',NULL,NULL,1000000,'王五');
INSERT INTO transactions VALUES(4,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',5,'91110000100000040X','2025-03-10','A4','C004','客户C004有限公司','发货','产品甲',NULL,NULL,300000,'王五');
INSERT INTO transactions VALUES(5,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',2,'91110000100000016D','2026-03-10','B1','C001','客户C001有限公司','发货','产品甲',NULL,NULL,50000000,'王五');
INSERT INTO transactions VALUES(6,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',3,'911100001000000248','2026-03-10','B2','C002','客户C002有限公司','发货','产品甲',NULL,NULL,15000000,'王五');
INSERT INTO transactions VALUES(7,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',4,'911100001000000323','2026-03-10','B3','C003','客户C003有限公司','发货','产品甲',NULL,NULL,5000000,'王五');
INSERT INTO transactions VALUES(8,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',5,'91110000100000040X','2026-03-10','B4','C004','客户C004有限公司','发货','产品甲',NULL,NULL,100000,'王五');
INSERT INTO transactions VALUES(9,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',6,'91110000100000040X','2026-03-10','B5','C004','客户C004有限公司','退货','产品甲',NULL,NULL,200000,'王五');
INSERT INTO transactions VALUES(10,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',7,'91110000100000075G','2026-03-10','B6','C007',NULL,'回款','产品甲',NULL,NULL,1000000,'王五');
INSERT INTO transactions VALUES(11,'2026-03','贸易公司','2026Q1','2026-03/other.xlsx',2,'91110000100000016D','2026-03-10','T1','T01','客户T01有限公司','发货','产品甲',NULL,NULL,10000000,'王五');
INSERT INTO transactions VALUES(12,'2026-03','医药公司','2026-03','2026-03/pharma.xlsx',2,'91110000100000016D','2026-03-10','P1','M01','客户M01有限公司','发货','产品甲',NULL,NULL,20000000,'王五');
CREATE TABLE assessments (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	subsidiary VARCHAR(200) NOT NULL, 
	period VARCHAR(7) NOT NULL, 
	source_file TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	customer_uscc VARCHAR(18), 
	customer_no TEXT, 
	annual_sales BIGINT, 
	monthly_sales BIGINT, 
	on_time_rate BIGINT, 
	overdue_count INTEGER, 
	grade TEXT, 
	requested_limit BIGINT, 
	applied_on DATE, 
	approved_limit BIGINT, 
	approver TEXT, 
	approved_on DATE, 
	remarks TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO assessments VALUES(1,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',2,'91110000100000016D','C001',120000,10000,950000,0,'一级',50000000,'2025-03-22',40000000,'周九','2025-03-24',NULL);
INSERT INTO assessments VALUES(2,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',3,'911100001000000248','C002',120000,10000,950000,0,'一级',50000000,'2025-03-22',40000000,'周九','2025-03-24',NULL);
INSERT INTO assessments VALUES(3,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',4,'911100001000000323','C003',120000,10000,950000,0,'一级',50000000,'2025-03-22',40000000,'周九','2025-03-24',NULL);
INSERT INTO assessments VALUES(4,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',5,'91110000100000040X','C004',120000,10000,950000,0,'一级',50000000,'2025-03-22',40000000,'周九','2025-03-24',NULL);
INSERT INTO assessments VALUES(5,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',6,'91110000100000059T','C005',120000,10000,950000,0,'一级',50000000,'2025-03-22',40000000,'周九','2025-03-24',NULL);
INSERT INTO assessments VALUES(6,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',7,'91110000100000075G','C007',120000,10000,950000,0,'一级',50000000,'2025-03-22',40000000,'周九','2025-03-24',NULL);
INSERT INTO assessments VALUES(7,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',2,'91110000100000016D','C001',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(8,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',3,'911100001000000248','C002',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(9,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',4,'911100001000000323','C003',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(10,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',5,'91110000100000040X','C004',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(11,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',6,'91110000100000059T','C005',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(12,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',7,'91110000100000067M','C006',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(13,'2026-03','贸易公司','2026Q1','2026-03/other.xlsx',2,'91110000100000016D','T01',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
INSERT INTO assessments VALUES(14,'2026-03','医药公司','2026-03','2026-03/pharma.xlsx',2,'91110000100000016D','M01',120000,10000,950000,0,'一级',50000000,'2026-03-22',40000000,'周九','2026-03-24',NULL);
CREATE TABLE visits (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	subsidiary VARCHAR(200) NOT NULL, 
	period VARCHAR(7) NOT NULL, 
	source_file TEXT NOT NULL, 
	source_row INTEGER NOT NULL, 
	customer_uscc VARCHAR(18), 
	date DATE, 
	customer_no TEXT, 
	visitor TEXT, 
	visitor_role TEXT, 
	method TEXT, 
	purpose TEXT, 
	content TEXT, 
	complaint TEXT, 
	follow_up TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO visits VALUES(1,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',2,'91110000100000016D','2025-03-10','C001','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(2,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',3,'911100001000000248','2025-03-10','C002','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(3,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',4,'911100001000000323','2025-03-10','C003','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(4,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',5,'91110000100000040X','2025-03-10','C004','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(5,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',6,'91110000100000059T','2025-03-10','C005','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(6,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx',7,'91110000100000075G','2025-03-10','C007','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(7,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',2,'91110000100000016D','2026-03-10','C001','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(8,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',3,'911100001000000248','2026-03-10','C002','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(9,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',4,'911100001000000323','2026-03-10','C003','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(10,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',5,'91110000100000040X','2026-03-10','C004','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(11,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',6,'91110000100000059T','2026-03-10','C005','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(12,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx',7,'91110000100000067M','2026-03-10','C006','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(13,'2026-03','贸易公司','2026Q1','2026-03/other.xlsx',2,'91110000100000016D','2026-03-10','T01','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
INSERT INTO visits VALUES(14,'2026-03','医药公司','2026-03','2026-03/pharma.xlsx',2,'91110000100000016D','2026-03-10','M01','王五','业务员','上门拜访','产品销售、客情建设','介绍新品',NULL,NULL);
CREATE TABLE market_analysis (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	subsidiary VARCHAR(200) NOT NULL, 
	period VARCHAR(7) NOT NULL, 
	source_file TEXT NOT NULL, 
	topic TEXT, 
	analysis TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO market_analysis VALUES(1,'2025-03','化工一厂','2025Q1','2025-03/chem.xlsx','华南市场','需求平稳，价格竞争加剧。');
INSERT INTO market_analysis VALUES(2,'2026-03','化工一厂','2026Q1','2026-03/chem.xlsx','华南市场','需求平稳，价格竞争加剧。');
INSERT INTO market_analysis VALUES(3,'2026-03','贸易公司','2026Q1','2026-03/other.xlsx','华南市场','需求平稳，价格竞争加剧。');
INSERT INTO market_analysis VALUES(4,'2026-03','医药公司','2026-03','2026-03/pharma.xlsx','华南市场','需求平稳，价格竞争加剧。');
CREATE TABLE runs (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	outcome VARCHAR(20) NOT NULL, 
	operator VARCHAR(200), 
	version VARCHAR(40), 
	config_sha256 VARCHAR(64), 
	inputs_sha256 VARCHAR(64), 
	accept_partial BOOLEAN NOT NULL, 
	summary_path TEXT, 
	note TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO runs VALUES(1,'2025-03','2026-12-04 20:26:37.619396','2026-12-04 20:26:37.950717','ok','root','0.1.0','','372214a9869a80872759325968a8473382b343e4f7e6cff90692872bf7a0b9a6',0,'/tmp/v1led/out/集团客户管理汇总_2025-03.xlsx',NULL);
INSERT INTO runs VALUES(2,'2026-03','2026-12-04 20:26:37.999769','2026-12-04 20:26:38.445240','ok','root','0.1.0','','32677e7ba598f753003311ba1998d410cf42fbc50b1f828a228e16f423f052ee',0,'/tmp/v1led/out/集团客户管理汇总_2026-03.xlsx',NULL);
CREATE TABLE classes (
	id INTEGER NOT NULL, 
	run_month VARCHAR(7) NOT NULL, 
	scope VARCHAR(200) NOT NULL, 
	customer_uscc VARCHAR(18) NOT NULL, 
	customer_class VARCHAR(1) NOT NULL, 
	value_fen BIGINT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO classes VALUES(1,'2025-03','','911100001000000248','A',50000000);
INSERT INTO classes VALUES(2,'2025-03','','91110000100000016D','B',10000000);
INSERT INTO classes VALUES(3,'2025-03','','911100001000000323','C',1000000);
INSERT INTO classes VALUES(4,'2025-03','','91110000100000040X','C',300000);
INSERT INTO classes VALUES(5,'2025-03','','91110000100000059T','C',0);
INSERT INTO classes VALUES(6,'2025-03','','91110000100000075G','C',0);
INSERT INTO classes VALUES(7,'2025-03','化工一厂','911100001000000248','A',50000000);
INSERT INTO classes VALUES(8,'2025-03','化工一厂','91110000100000016D','B',10000000);
INSERT INTO classes VALUES(9,'2025-03','化工一厂','911100001000000323','C',1000000);
INSERT INTO classes VALUES(10,'2025-03','化工一厂','91110000100000040X','C',300000);
INSERT INTO classes VALUES(11,'2025-03','化工一厂','91110000100000059T','C',0);
INSERT INTO classes VALUES(12,'2025-03','化工一厂','91110000100000075G','C',0);
INSERT INTO classes VALUES(13,'2026-03','','91110000100000016D','A',80000000);
INSERT INTO classes VALUES(14,'2026-03','','911100001000000248','B',15000000);
INSERT INTO classes VALUES(15,'2026-03','','911100001000000323','C',5000000);
INSERT INTO classes VALUES(16,'2026-03','','91110000100000059T','C',0);
INSERT INTO classes VALUES(17,'2026-03','','91110000100000067M','C',0);
INSERT INTO classes VALUES(18,'2026-03','','91110000100000040X','C',-100000);
INSERT INTO classes VALUES(19,'2026-03','化工一厂','91110000100000016D','A',50000000);
INSERT INTO classes VALUES(20,'2026-03','化工一厂','911100001000000248','A',15000000);
INSERT INTO classes VALUES(21,'2026-03','化工一厂','911100001000000323','B',5000000);
INSERT INTO classes VALUES(22,'2026-03','化工一厂','91110000100000059T','C',0);
INSERT INTO classes VALUES(23,'2026-03','化工一厂','91110000100000067M','C',0);
INSERT INTO classes VALUES(24,'2026-03','化工一厂','91110000100000040X','C',-100000);
INSERT INTO classes VALUES(25,'2026-03','医药公司','91110000100000016D','A',20000000);
INSERT INTO classes VALUES(26,'2026-03','贸易公司','91110000100000016D','A',10000000);
CREATE TABLE meta (
	"key" VARCHAR(50) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO meta VALUES('schema_version','1');
CREATE TABLE run_inputs (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	file TEXT NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	size BIGINT, 
	subsidiary VARCHAR(200), 
	period VARCHAR(7), 
	report_date DATE, 
	status VARCHAR(20) NOT NULL, 
	errors INTEGER NOT NULL, 
	warnings INTEGER NOT NULL, 
	sheets TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(run_id) REFERENCES runs (id)
);
INSERT INTO run_inputs VALUES(1,1,'2025-03/chem.xlsx','5ca973ae33b44a92a8c6f05bfc4f4c2b4d4928564afbcefb28a98ab56db963f6',10350,'化工一厂','2025Q1','2025-04-03','已汇总',0,0,'{"市场分析": 1, "客户信息表": 6, "销售数据表": 4, "资信评估表": 6, "拜访记录": 6}');
INSERT INTO run_inputs VALUES(2,2,'2026-03/chem.xlsx','2940b22360cc281985ea4dc21353ac3c3dc8213dbe2c98a19d0c56e818cd0486',10462,'化工一厂','2026Q1','2026-04-03','已汇总',0,0,'{"市场分析": 1, "客户信息表": 6, "销售数据表": 6, "资信评估表": 6, "拜访记录": 6}');
INSERT INTO run_inputs VALUES(3,2,'2026-03/other.xlsx','b8915bb3626614667b79e3e050d7c80735bed0f48f3821fb563a0de209176433',9412,'贸易公司','2026Q1','2026-04-08','已汇总',0,0,'{"市场分析": 1, "客户信息表": 1, "销售数据表": 1, "资信评估表": 1, "拜访记录": 1}');
INSERT INTO run_inputs VALUES(4,2,'2026-03/pharma.xlsx','0b5eb67e5c6c0a671edfca71a02ad63357cbcbb33a43dc3e08da0ab3182126ab',9410,'医药公司','2026-03','2026-04-06','已汇总',0,0,'{"市场分析": 1, "客户信息表": 1, "销售数据表": 1, "资信评估表": 1, "拜访记录": 1}');
CREATE INDEX ix_staff_run_month ON staff (run_month);
CREATE INDEX ix_staff_subsidiary ON staff (subsidiary);
CREATE INDEX ix_customers_subsidiary ON customers (subsidiary);
CREATE INDEX ix_customers_run_month ON customers (run_month);
CREATE INDEX ix_transactions_subsidiary ON transactions (subsidiary);
CREATE INDEX ix_transactions_customer_uscc ON transactions (customer_uscc);
CREATE INDEX ix_transactions_run_month ON transactions (run_month);
CREATE INDEX ix_assessments_subsidiary ON assessments (subsidiary);
CREATE INDEX ix_assessments_run_month ON assessments (run_month);
CREATE INDEX ix_assessments_customer_uscc ON assessments (customer_uscc);
CREATE INDEX ix_visits_subsidiary ON visits (subsidiary);
CREATE INDEX ix_visits_run_month ON visits (run_month);
CREATE INDEX ix_visits_customer_uscc ON visits (customer_uscc);
CREATE INDEX ix_market_analysis_run_month ON market_analysis (run_month);
CREATE INDEX ix_runs_run_month ON runs (run_month);
CREATE INDEX ix_classes_run_month ON classes (run_month);
CREATE INDEX ix_run_inputs_run_id ON run_inputs (run_id);
COMMIT;
